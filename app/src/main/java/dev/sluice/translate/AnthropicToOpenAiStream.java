package dev.sluice.translate;

import dev.sluice.protocol.StreamUsage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.UpstreamErrors;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.sse.SseEvent;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Real Anthropic Messages events in, OpenAI chat chunks out (protocols.md §3.9): a role chunk on
 * {@code message_start}, content and {@code reasoning_content} deltas, one {@code tool_calls} entry per
 * {@code tool_use} block (index 0, 1, 2... over tool blocks only, {@code function} always present), the
 * finish chunk on {@code message_delta}, then on {@code message_stop} the usage chunk (only when the client
 * asked for {@code include_usage}; every other chunk then carries {@code "usage": null}) and {@code [DONE]}.
 * An {@code error} event, or an end before {@code message_stop}, becomes an OpenAI error chunk.
 * Not thread-safe: one instance per response.
 */
public final class AnthropicToOpenAiStream extends OpenAiClientStream {
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PING = SseEvent.comment("ping");

    private final OpenAiToAnthropicRequest.Prepared request;
    private final long created = System.currentTimeMillis() / 1000;
    /** Anthropic block index → OpenAI tool_calls index. */
    private final Map<Integer, Integer> toolIndex = new HashMap<>();
    private String id = AnthropicToOpenAiResponse.chatId(null);
    private long input;
    private long cacheRead;
    private long cacheCreation;
    private long output;
    private boolean usageSeen;
    private boolean sawContent;

    public AnthropicToOpenAiStream(OpenAiToAnthropicRequest.Prepared request) {
        this.request = request;
    }

    @Override
    public void onEvent(SseEvent event, List<byte[]> out) {
        if (terminated || event.data() == null || event.hasBlankData()) {
            return;
        }
        JsonNode e = Json.tryParse(event.data());
        if (e == null || !e.isObject()) {
            fail(GatewayException.of(ErrorKind.BAD_GATEWAY, "the Anthropic backend sent an event that is not JSON"),
                    out);
            return;
        }
        String type = e.path("type").asText(event.event() == null ? "" : event.event());
        switch (type) {
            case "message_start" -> {
                JsonNode m = e.path("message");
                answer.model(Json.text(m, "model"));
                if (Json.text(m, "id") != null) {
                    id = AnthropicToOpenAiResponse.chatId(Json.text(m, "id"));
                }
                readUsage(m.path("usage"));
                ObjectNode delta = Json.object().put("role", "assistant").put("content", "");
                out.add(chunk(delta, null));
            }
            case "content_block_start" -> {
                JsonNode block = e.path("content_block");
                if ("tool_use".equals(Json.text(block, "type"))) {
                    int k = toolIndex.size();
                    toolIndex.put(e.path("index").asInt(), k);
                    ObjectNode call = Json.object();
                    call.put("index", k);
                    call.put("id", block.path("id").asText());
                    call.put("type", "function");
                    call.putObject("function").put("name", block.path("name").asText()).put("arguments", "");
                    ObjectNode delta = Json.object();
                    delta.putArray("tool_calls").add(call);
                    sawContent = true;
                    out.add(chunk(delta, null));
                }
            }
            case "content_block_delta" -> delta(e, out);
            case "message_delta" -> {
                readUsage(e.path("usage"));
                String stop = Json.text(e.path("delta"), "stop_reason");
                answer.reason(stop);
                out.add(chunk(Json.object(), AnthropicToOpenAiResponse.finishReason(stop)));
            }
            case "message_stop" -> {
                if (request.clientWantsUsage()) {
                    ObjectNode c = base();
                    c.putArray("choices");
                    c.set("usage", AnthropicToOpenAiResponse.usage(input, cacheRead, cacheCreation, output));
                    out.add(data(c));
                }
                terminated = true;
                out.add(DONE);
            }
            case "ping" -> out.add(PING);
            case "error" -> fail(UpstreamErrors.from(statusOf(Json.text(e.path("error"), "type")),
                    event.data().getBytes(StandardCharsets.UTF_8), Map.of(), null), out);
            default -> { } // content_block_stop and event types added later mean nothing to an OpenAI client
        }
    }

    private void delta(JsonNode e, List<byte[]> out) {
        JsonNode d = e.path("delta");
        switch (d.path("type").asText()) {
            case "text_delta" -> {
                String t = d.path("text").asText();
                if (!t.isEmpty()) {
                    sawContent = true;
                    out.add(chunk(Json.object().put("content", t), null));
                }
            }
            case "thinking_delta" -> {
                String t = d.path("thinking").asText();
                if (!t.isEmpty()) {
                    sawContent = true;
                    out.add(chunk(Json.object().put("reasoning_content", t), null));
                }
            }
            case "input_json_delta" -> {
                Integer k = toolIndex.get(e.path("index").asInt());
                String part = d.path("partial_json").asText();
                if (k != null && !part.isEmpty()) {
                    ObjectNode call = Json.object();
                    call.put("index", k);
                    call.putObject("function").put("arguments", part);
                    ObjectNode delta = Json.object();
                    delta.putArray("tool_calls").add(call);
                    out.add(chunk(delta, null));
                }
            }
            default -> { } // signature_delta, citations: no OpenAI form
        }
    }

    private void readUsage(JsonNode u) {
        if (u == null || !u.isObject()) {
            return;
        }
        usageSeen = true;
        input = u.path("input_tokens").asLong(input);
        cacheRead = u.path("cache_read_input_tokens").asLong(cacheRead);
        cacheCreation = u.path("cache_creation_input_tokens").asLong(cacheCreation);
        output = u.path("output_tokens").asLong(output);
    }

    private ObjectNode base() {
        ObjectNode c = Json.object();
        c.put("id", id);
        c.put("object", "chat.completion.chunk");
        c.put("created", created);
        c.put("model", request.clientModel());
        return c;
    }

    private byte[] chunk(ObjectNode delta, String finishReason) {
        ObjectNode c = base();
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        if (request.clientWantsUsage()) {
            c.putNull("usage");
        }
        return data(c);
    }

    private static byte[] data(ObjectNode chunk) {
        return SseEvent.encode(null, Json.bytes(chunk));
    }

    /** The HTTP status an Anthropic error type stands for (protocols.md §1.10). */
    static int statusOf(String errorType) {
        return switch (errorType == null ? "" : errorType) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "timeout_error" -> 504;
            case "overloaded_error" -> 529;
            default -> 500;
        };
    }

    @Override
    public void onEnd(List<byte[]> out) {
        if (!terminated) {
            fail(GatewayException.of(ErrorKind.BAD_GATEWAY,
                    "the Anthropic backend stream ended before message_stop"), out);
        }
    }

    @Override
    public StreamUsage usage() {
        return usageSeen ? new StreamUsage(input + cacheRead + cacheCreation, output, false, cacheRead)
                : StreamUsage.NONE;
    }

    @Override
    public boolean sawContent() {
        return sawContent;
    }
}
