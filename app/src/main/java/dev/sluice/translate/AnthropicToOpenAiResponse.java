package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;

/**
 * A real Anthropic Messages response in, an OpenAI chat completion out (protocols.md §3.4, §3.5). Text blocks
 * are concatenated into {@code content} ({@code null} when there are none), {@code tool_use} blocks become
 * {@code tool_calls}, thinking becomes the non-standard {@code reasoning_content}; signatures and
 * {@code redacted_thinking} are dropped.
 */
public final class AnthropicToOpenAiResponse {
    private AnthropicToOpenAiResponse() {}

    public static ObjectNode translate(byte[] body, OpenAiToAnthropicRequest.Prepared request) {
        JsonNode m = Json.tryParse(body);
        if (m == null || !m.isObject()) {
            throw GatewayException.of(ErrorKind.BAD_GATEWAY, "the Anthropic backend's response is not JSON");
        }
        StringBuilder text = new StringBuilder();
        StringBuilder thinking = new StringBuilder();
        boolean anyText = false;
        ArrayNode calls = Json.NODES.arrayNode();
        for (JsonNode b : m.path("content")) {
            switch (b.path("type").asText()) {
                case "text" -> {
                    anyText = true;
                    text.append(b.path("text").asText());
                }
                case "thinking" -> thinking.append(b.path("thinking").asText());
                case "tool_use" -> {
                    ObjectNode c = calls.addObject();
                    c.put("id", b.path("id").asText());
                    c.put("type", "function");
                    JsonNode input = b.get("input");
                    c.putObject("function").put("name", b.path("name").asText())
                            .put("arguments", input == null || input.isNull() ? "{}" : Json.string(input));
                }
                default -> { } // redacted_thinking, server tool blocks: no OpenAI form
            }
        }
        ObjectNode out = Json.object();
        out.put("id", chatId(Json.text(m, "id")));
        out.put("object", "chat.completion");
        out.put("created", System.currentTimeMillis() / 1000);
        out.put("model", request.clientModel());
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (anyText) {
            message.put("content", text.toString());
        } else {
            message.putNull("content");
        }
        if (!thinking.isEmpty()) {
            message.put("reasoning_content", thinking.toString());
        }
        if (!calls.isEmpty()) {
            message.set("tool_calls", calls);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(Json.text(m, "stop_reason")));
        out.set("usage", usage(m.path("usage")));
        return out;
    }

    /** {@code msg_X} becomes {@code chatcmpl-X} (protocols.md §3.4). */
    public static String chatId(String messageId) {
        if (messageId == null || messageId.isEmpty()) {
            return "chatcmpl-" + AnthropicIds.messageId().substring(4);
        }
        return "chatcmpl-" + (messageId.startsWith("msg_") ? messageId.substring(4) : messageId);
    }

    /** Anthropic {@code stop_reason} → OpenAI {@code finish_reason} (protocols.md §3.5). */
    public static String finishReason(String stopReason) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop"; // end_turn, stop_sequence, pause_turn
        };
    }

    /** prompt = input + cache_read + cache_creation; completion = output (protocols.md §3.4). */
    public static ObjectNode usage(long input, long cacheRead, long cacheCreation, long output) {
        ObjectNode u = Json.object();
        long prompt = input + cacheRead + cacheCreation;
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", output);
        u.put("total_tokens", prompt + output);
        u.putObject("prompt_tokens_details").put("cached_tokens", cacheRead).put("cache_write_tokens", cacheCreation);
        return u;
    }

    static ObjectNode usage(JsonNode u) {
        return usage(u.path("input_tokens").asLong(), u.path("cache_read_input_tokens").asLong(),
                u.path("cache_creation_input_tokens").asLong(), u.path("output_tokens").asLong());
    }
}
