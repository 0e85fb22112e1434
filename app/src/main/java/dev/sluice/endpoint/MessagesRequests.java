package dev.sluice.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.WireDialect;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.routing.Route;
import dev.sluice.routing.Router;
import dev.sluice.translate.AnthropicIds;
import dev.sluice.translate.AnthropicRequest;
import dev.sluice.translate.OpenAiPassthroughRequest;
import dev.sluice.protocol.anthropic.AnthropicStreamEvent;
import java.util.List;
import java.util.Map;

/** Parsing and routing of Anthropic Messages requests, before any deployment is chosen. */
public final class MessagesRequests {
    private final Router router;
    private final RequestBodies bodies;

    public MessagesRequests(Router router, RequestBodies bodies) {
        this.router = router;
        this.bodies = bodies;
    }

    /** The body as a JSON object within the request caps, or a 400 or 413. */
    public ObjectNode parse(byte[] body) {
        return bodies.parse(body);
    }

    public Route route(ObjectNode json) {
        JsonNode m = json.get("model");
        if (m != null && !m.isTextual()) {
            throw GatewayException.invalid("model: Input should be a valid string", "model");
        }
        return ModelRouting.route(router, m == null ? null : m.asText(), true)
                .affinity(() -> AffinityKeys.anthropic(json));
    }

    /** @param headers request headers the real Anthropic API must see ({@code anthropic-beta}) */
    public ClientRequest.Messages messages(ObjectNode json, Route route, Map<String, String> headers) {
        String clientModel = ModelRouting.effectiveModel(router, route.clientModel());
        return new ClientRequest.Messages(json, clientModel, json.path("stream").asBoolean(false),
                AnthropicIds.messageId(), headers);
    }

    /**
     * {@code max_tokens: 0} is a cache pre-warm: there is nothing to generate and no local cache to warm, so a
     * pool of local runtimes answers an empty message at once. Null when the request must be served; the real
     * Anthropic API gets it as it is.
     */
    public byte[] cachePrewarm(ClientRequest.Messages request, Route route) {
        if (request.json().path("max_tokens").asInt(-1) != 0) {
            return null;
        }
        boolean passthrough = route.pool().upstreams().stream()
                .allMatch(u -> u.backend().dialect() == WireDialect.ANTHROPIC);
        if (passthrough) {
            return null;
        }
        AnthropicRequest checked = Pairs.translateMessages(request, route.pool().upstreams().get(0));
        ObjectNode m = Json.object();
        m.put("id", request.messageId());
        m.put("type", "message");
        m.put("role", "assistant");
        m.put("model", checked.clientModel());
        m.putArray("content");
        m.put("stop_reason", "max_tokens");
        m.putNull("stop_sequence");
        m.putObject("usage").put("input_tokens", checked.estimatedInputTokens()).put("output_tokens", 0)
                .put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", 0);
        return Json.bytes(m);
    }

    /**
     * The pre-warm answer as the event stream a client that asked for {@code stream: true} reads: the message
     * opens and stops at once, with no content block (what the real API sends for {@code max_tokens: 0}).
     */
    public static List<byte[]> cachePrewarmEvents(byte[] message) {
        JsonNode m = Json.tryParse(message);
        ObjectNode usage = Json.object().put("input_tokens", m.path("usage").path("input_tokens").asLong())
                .put("cache_creation_input_tokens", 0).put("cache_read_input_tokens", 0).put("output_tokens", 0);
        return List.of(
                new AnthropicStreamEvent.MessageStart(m.path("id").asText(), m.path("model").asText(),
                        m.path("usage").path("input_tokens").asLong()).encode(),
                new AnthropicStreamEvent.MessageDelta("max_tokens", null, usage).encode(),
                new AnthropicStreamEvent.MessageStop().encode());
    }
}
