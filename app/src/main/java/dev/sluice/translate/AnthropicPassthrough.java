package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;

/**
 * Anthropic client, real Anthropic deployment: the request goes upstream as the client wrote it, with only
 * {@code model} set to the deployment's model (betas, thinking, cache_control and fields this gateway does not
 * know all pass); the response comes back with {@code model} restored to the client's name.
 */
public final class AnthropicPassthrough {
    private AnthropicPassthrough() {}

    /**
     * @param body the Messages request to send
     * @param clientModel the model the client asked for, restored in the response
     */
    public record Prepared(byte[] body, boolean stream, String clientModel) {}

    public static Prepared prepare(ObjectNode request, String upstreamModel, String clientModel) {
        ObjectNode copy = request.deepCopy();
        copy.put("model", upstreamModel);
        stripUnsignedThinking(copy);
        return new Prepared(Json.bytes(copy), copy.path("stream").asBoolean(false), clientModel);
    }

    /**
     * Thinking blocks the gateway made for a local model carry {@code signature: ""}; the real API rejects them
     * ("Invalid signature in thinking block"), so they are left out when a conversation reaches it (a mixed pool,
     * a fallback, a client that switched models). An assistant message left with nothing is left out too. When the
     * last assistant turn lost its thinking and calls tools, thinking is switched off for this request: with
     * thinking on, the API wants that turn to start with a (signed) thinking block.
     */
    static void stripUnsignedThinking(ObjectNode request) {
        JsonNode messages = request.get("messages");
        if (!(messages instanceof ArrayNode list)) {
            return;
        }
        boolean lastAssistantStripped = false;
        boolean lastAssistantCallsTools = false;
        for (int i = 0; i < list.size(); i++) {
            JsonNode m = list.get(i);
            if (!"assistant".equals(Json.text(m, "role")) || !(m.get("content") instanceof ArrayNode content)) {
                continue;
            }
            boolean stripped = false;
            boolean callsTools = false;
            for (int j = content.size() - 1; j >= 0; j--) {
                JsonNode b = content.get(j);
                String type = Json.text(b, "type");
                if ("thinking".equals(type) && (Json.text(b, "signature") == null
                        || Json.text(b, "signature").isEmpty())) {
                    content.remove(j);
                    stripped = true;
                }
                callsTools |= "tool_use".equals(type);
            }
            lastAssistantStripped = stripped;
            lastAssistantCallsTools = callsTools;
            if (stripped && content.isEmpty()) {
                list.remove(i--);
            }
        }
        String thinking = Json.text(request.path("thinking"), "type");
        if (lastAssistantStripped && lastAssistantCallsTools && thinking != null && !"disabled".equals(thinking)) {
            request.remove("thinking");
        }
    }

    /** The upstream message with {@code model} restored; a body that is not a JSON object passes unchanged. */
    public static byte[] response(byte[] body, Prepared request) {
        JsonNode m = Json.tryParse(body);
        if (m instanceof ObjectNode o && o.has("model")) {
            o.put("model", request.clientModel());
            return Json.bytes(o);
        }
        return body;
    }
}
