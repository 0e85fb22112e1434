package dev.sluice.protocol.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.sse.SseEvent;

/**
 * The events of an Anthropic Messages stream (protocols.md §1.9). Every frame carries an {@code event:}
 * line, because the Python and TypeScript SDKs dispatch on it and drop frames without one.
 */
public sealed interface AnthropicStreamEvent {

    String type();

    /** The JSON payload; always includes {@code "type"}. */
    ObjectNode data();

    default byte[] encode() {
        return SseEvent.encode(type(), Json.bytes(data()));
    }

    private static ObjectNode typed(String type) {
        ObjectNode o = Json.object();
        o.put("type", type);
        return o;
    }

    /** Opens the message; {@code usage.input_tokens} is never 0 for a non-empty prompt (Claude Code reads it). */
    record MessageStart(String id, String model, long inputTokens) implements AnthropicStreamEvent {
        public String type() {
            return "message_start";
        }

        public ObjectNode data() {
            ObjectNode o = typed(type());
            ObjectNode m = o.putObject("message");
            m.put("id", id);
            m.put("type", "message");
            m.put("role", "assistant");
            m.put("model", model);
            m.putArray("content");
            m.putNull("stop_reason");
            m.putNull("stop_sequence");
            ObjectNode u = m.putObject("usage");
            u.put("input_tokens", inputTokens);
            u.put("cache_creation_input_tokens", 0);
            u.put("cache_read_input_tokens", 0);
            u.put("output_tokens", 1);
            return o;
        }
    }

    /** {@code block} is the empty block: text "", thinking "" with signature "", tool_use with input {}. */
    record ContentBlockStart(int index, ObjectNode block) implements AnthropicStreamEvent {
        public String type() {
            return "content_block_start";
        }

        public ObjectNode data() {
            ObjectNode o = typed(type());
            o.put("index", index);
            o.set("content_block", block);
            return o;
        }
    }

    /** {@code delta} is one of text_delta, input_json_delta, thinking_delta, signature_delta. */
    record ContentBlockDelta(int index, ObjectNode delta) implements AnthropicStreamEvent {
        public String type() {
            return "content_block_delta";
        }

        public ObjectNode data() {
            ObjectNode o = typed(type());
            o.put("index", index);
            o.set("delta", delta);
            return o;
        }
    }

    record ContentBlockStop(int index) implements AnthropicStreamEvent {
        public String type() {
            return "content_block_stop";
        }

        public ObjectNode data() {
            ObjectNode o = typed(type());
            o.put("index", index);
            return o;
        }
    }

    /** Stop reason and cumulative usage; the SDK accumulators overwrite input_tokens with what is here. */
    record MessageDelta(String stopReason, String stopSequence, ObjectNode usage) implements AnthropicStreamEvent {
        public String type() {
            return "message_delta";
        }

        public ObjectNode data() {
            ObjectNode o = typed(type());
            ObjectNode d = o.putObject("delta");
            d.put("stop_reason", stopReason);
            if (stopSequence == null) {
                d.putNull("stop_sequence");
            } else {
                d.put("stop_sequence", stopSequence);
            }
            o.set("usage", usage);
            return o;
        }
    }

    record MessageStop() implements AnthropicStreamEvent {
        public String type() {
            return "message_stop";
        }

        public ObjectNode data() {
            return typed(type());
        }
    }

    record Ping() implements AnthropicStreamEvent {
        public String type() {
            return "ping";
        }

        public ObjectNode data() {
            return typed(type());
        }
    }

    record Error(String errorType, String message) implements AnthropicStreamEvent {
        public String type() {
            return "error";
        }

        public ObjectNode data() {
            ObjectNode o = typed(type());
            o.putObject("error").put("type", errorType).put("message", message);
            return o;
        }
    }

    /** An event type this gateway does not model, kept as it came. */
    record Unknown(String type, ObjectNode data) implements AnthropicStreamEvent {
        public static Unknown of(JsonNode raw) {
            ObjectNode o = raw instanceof ObjectNode obj ? obj : Json.object();
            return new Unknown(o.path("type").asText("unknown"), o);
        }
    }
}
