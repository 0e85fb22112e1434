package dev.sluice.endpoint;

import dev.sluice.routing.ClientLink;

import dev.sluice.routing.Dispatcher;
import dev.sluice.routing.Route;
import dev.sluice.routing.Upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.BackendProfile;
import dev.sluice.backend.UpstreamCall;
import dev.sluice.observability.RequestRecord;
import dev.sluice.protocol.Json;
import dev.sluice.translate.AnthropicRequest;
import dev.sluice.translate.TokenEstimate;
import io.netty.channel.EventLoop;
import dev.sluice.backend.WireDialect;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Input token counts for /v1/messages/count_tokens: exact from the runtime's own tokenizer with the chat
 * template applied where the runtime offers that (vLLM, TGI, llama.cpp, Docker Model Runner; protocols.md
 * §4.3), raw-text counts where it only tokenizes text (SGLang, LocalAI), else the chars/4 estimate. Any
 * failure of the tokenizer call falls back to the estimate: a count is never worth an error.
 */
public final class TokenCounter {
    /** A count and how it was made. */
    public record Count(long inputTokens, String method) {}

    private final Dispatcher dispatcher;

    public TokenCounter(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /**
     * A count request made ready for the deployment that will count it.
     *
     * @param translated the request in the runtime's chat dialect, or null for the real Anthropic API, which
     *     counts the request as the client wrote it
     */
    public record Prepared(ObjectNode anthropicBody, AnthropicRequest translated, Upstream upstream,
            String clientModel, Map<String, String> headers) {}

    /**
     * Translates the request for one deployment of the route (bad input fails here, with a 400). The real
     * Anthropic API gets the request untranslated: it counts documents, images and tools itself.
     */
    public Prepared prepare(ClientRequest.Messages request, Route route) {
        Upstream upstream = route.peek();
        if (upstream.backend().dialect() == WireDialect.ANTHROPIC) {
            return new Prepared(request.json(), null, upstream, request.clientModel(), request.headers());
        }
        return new Prepared(request.json(), Pairs.translateMessages(request, upstream), upstream,
                request.clientModel(), Map.of());
    }

    public CompletableFuture<Count> count(Prepared p, EventLoop loop, RequestRecord record) {
        if (p.translated() == null) {
            return anthropic(p, loop, record);
        }
        return count(p.anthropicBody(), p.translated(), p.upstream(), loop, record);
    }

    /** Fields of a Messages request that {@code count_tokens} does not take (it answers 400 to them). */
    private static final List<String> NOT_COUNTED = List.of("max_tokens", "stream", "temperature", "top_p", "top_k",
            "stop_sequences", "metadata", "service_tier");

    /** Anthropic's own {@code POST /v1/messages/count_tokens}: its exact count, or the estimate if it fails. */
    private CompletableFuture<Count> anthropic(Prepared p, EventLoop loop, RequestRecord record) {
        ObjectNode body = p.anthropicBody().deepCopy();
        NOT_COUNTED.forEach(body::remove);
        body.put("model", p.upstream().modelFor(p.clientModel()));
        long estimate = TokenEstimate.ofAnthropicRequest(p.anthropicBody());
        UpstreamCall call = new UpstreamCall("POST", "/messages/count_tokens", Json.bytes(body), false, loop, false,
                p.headers());
        return dispatcher.unaryTo(p.upstream(), call, record, ClientLink.NONE).thenApply(r -> {
            JsonNode answer = Json.tryParse(r.body());
            long n = answer == null ? -1 : answer.path("input_tokens").asLong(-1);
            return n > 0 ? new Count(n, "exact") : new Count(estimate, "estimate");
        }).exceptionally(e -> new Count(estimate, "estimate"));
    }

    public CompletableFuture<Count> count(ObjectNode anthropicBody, AnthropicRequest translated, Upstream upstream,
            EventLoop loop, RequestRecord record) {
        BackendProfile profile = upstream.profile();
        long estimate = translated.estimatedInputTokens();
        ObjectNode chat = translated.openAi();
        UpstreamCall call;
        switch (profile.tokenize()) {
            case VLLM -> {
                ObjectNode b = Json.object();
                b.set("model", chat.get("model"));
                b.set("messages", chat.get("messages"));
                if (chat.has("tools")) {
                    b.set("tools", chat.get("tools"));
                }
                b.put("add_generation_prompt", true);
                call = new UpstreamCall("POST", "/tokenize", Json.bytes(b), false, loop, true);
            }
            case TGI_CHAT -> {
                ObjectNode b = chat.deepCopy();
                b.remove("stream");
                b.remove("stream_options");
                call = new UpstreamCall("POST", "/chat_tokenize", Json.bytes(b), false, loop, true);
            }
            case LLAMACPP, COUNT_TOKENS -> {
                ObjectNode b = anthropicBody.deepCopy();
                b.set("model", chat.get("model"));
                call = new UpstreamCall("POST", "/messages/count_tokens", Json.bytes(b), false, loop);
            }
            case SGLANG_RAW -> call = new UpstreamCall("POST", "/tokenize", Json.bytes(Json.object()
                    .put("prompt", flatten(chat))), false, loop);
            case LOCALAI_RAW -> call = new UpstreamCall("POST", "/tokenize", Json.bytes(Json.object()
                    .put("model", chat.path("model").asText()).put("content", flatten(chat))), false, loop);
            case NONE -> {
                return CompletableFuture.completedFuture(new Count(estimate, "estimate"));
            }
            default -> throw new IllegalStateException();
        }
        BackendProfile.TokenizeMode mode = profile.tokenize();
        int messages = chat.path("messages").size();
        return dispatcher.unaryTo(upstream, call, record, ClientLink.NONE).thenApply(r -> {
            JsonNode body = Json.tryParse(r.body());
            long n = switch (mode) {
                case VLLM -> body == null ? -1 : body.path("count").asLong(-1);
                case TGI_CHAT -> body == null ? -1 : body.path("tokenize_response").size();
                case LLAMACPP, COUNT_TOKENS -> body == null ? -1 : body.path("input_tokens").asLong(-1);
                case SGLANG_RAW -> body == null ? -1 : body.path("count").asLong(body.path("tokens").size());
                case LOCALAI_RAW -> body == null ? -1 : body.path("tokens").size();
                case NONE -> -1;
            };
            if (n <= 0) {
                return new Count(estimate, "estimate");
            }
            boolean templated = mode == BackendProfile.TokenizeMode.VLLM || mode == BackendProfile.TokenizeMode.TGI_CHAT
                    || mode == BackendProfile.TokenizeMode.LLAMACPP || mode == BackendProfile.TokenizeMode.COUNT_TOKENS;
            // raw-text tokenizers miss the chat template's framing: add a few tokens per message
            return templated ? new Count(n, "exact") : new Count(n + messages * 4L + 3, "tokenizer-raw");
        }).exceptionally(e -> new Count(estimate, "estimate"));
    }

    private static String flatten(ObjectNode chat) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode m : chat.path("messages")) {
            JsonNode c = m.get("content");
            if (c == null) {
                continue;
            }
            if (c.isTextual()) {
                sb.append(c.asText()).append('\n');
            } else {
                for (JsonNode p : c) {
                    sb.append(p.path("text").asText("")).append('\n');
                }
            }
            for (JsonNode tc : m.path("tool_calls")) {
                sb.append(tc.path("function").path("arguments").asText("")).append('\n');
            }
        }
        if (chat.has("tools")) {
            sb.append(Json.string(chat.get("tools")));
        }
        return sb.toString();
    }

    /** Exposed for callers that only need the estimate. */
    public static long estimate(JsonNode anthropicBody) {
        return TokenEstimate.ofAnthropicRequest(anthropicBody);
    }
}
