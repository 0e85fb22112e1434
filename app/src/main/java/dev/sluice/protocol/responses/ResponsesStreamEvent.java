package dev.sluice.protocol.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.sse.SseEvent;

/**
 * The events of a Responses stream (responses-api.md §4.2). Every frame is {@code event: <type>} plus one
 * {@code data:} line whose JSON repeats {@code type} and carries {@code sequence_number}: Codex dispatches on the
 * JSON {@code type}, the Python and Java SDKs on the JSON too, and both SDKs expect the number to grow by one
 * per event. {@code [DONE]} is never part of a Responses stream (Codex logs it as a parse failure).
 */
public sealed interface ResponsesStreamEvent {

    String type();

    long sequenceNumber();

    /** The JSON payload, with {@code type} and {@code sequence_number}. */
    ObjectNode data();

    default byte[] encode() {
        return SseEvent.encode(type(), Json.bytes(data()));
    }

    private static ObjectNode head(String type, long seq) {
        return Json.object().put("type", type).put("sequence_number", seq);
    }

    private static ObjectNode item(String type, long seq, String itemId, int outputIndex) {
        return head(type, seq).put("item_id", itemId).put("output_index", outputIndex);
    }

    /**
     * A delta event written straight to bytes: the events that carry each token are most of a stream, and
     * building a tree per token costs about as much as the rest of the relay. Same JSON as {@code data()}.
     *
     * @param indexField {@code content_index} or {@code summary_index}, or null for neither
     */
    private static byte[] deltaBytes(String type, long seq, String itemId, int outputIndex, String indexField,
            int index, String delta, boolean logprobs) {
        StringBuilder sb = new StringBuilder(128 + delta.length());
        sb.append("event: ").append(type).append("\ndata: {\"type\":\"").append(type)
                .append("\",\"sequence_number\":").append(seq).append(",\"item_id\":\"");
        QUOTER.quoteAsString(itemId, sb);
        sb.append("\",\"output_index\":").append(outputIndex);
        if (indexField != null) {
            sb.append(",\"").append(indexField).append("\":").append(index);
        }
        sb.append(",\"delta\":\"");
        QUOTER.quoteAsString(delta, sb);
        sb.append('"');
        if (logprobs) {
            sb.append(",\"logprobs\":[]");
        }
        return sb.append("}\n\n").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    com.fasterxml.jackson.core.io.JsonStringEncoder QUOTER = com.fasterxml.jackson.core.io.JsonStringEncoder
            .getInstance();

    private static ObjectNode inPart(String type, long seq, String itemId, int outputIndex, int contentIndex) {
        return item(type, seq, itemId, outputIndex).put("content_index", contentIndex);
    }

    private static ObjectNode withResponse(String type, long seq, ObjectNode response) {
        ObjectNode o = head(type, seq);
        o.set("response", response);
        return o;
    }

    /** The first event: the Response with {@code status:"in_progress"} and {@code output:[]}. */
    record Created(long sequenceNumber, ObjectNode response) implements ResponsesStreamEvent {
        public String type() {
            return "response.created";
        }

        public ObjectNode data() {
            return withResponse(type(), sequenceNumber, response);
        }
    }

    record InProgress(long sequenceNumber, ObjectNode response) implements ResponsesStreamEvent {
        public String type() {
            return "response.in_progress";
        }

        public ObjectNode data() {
            return withResponse(type(), sequenceNumber, response);
        }
    }

    /** Terminal: the final Response with every item sent through {@code output_item.done}, and usage. */
    record Completed(long sequenceNumber, ObjectNode response) implements ResponsesStreamEvent {
        public String type() {
            return "response.completed";
        }

        public ObjectNode data() {
            return withResponse(type(), sequenceNumber, response);
        }
    }

    /** Terminal: {@code incomplete_details.reason} is {@code max_output_tokens} or {@code content_filter}. */
    record Incomplete(long sequenceNumber, ObjectNode response) implements ResponsesStreamEvent {
        public String type() {
            return "response.incomplete";
        }

        public ObjectNode data() {
            return withResponse(type(), sequenceNumber, response);
        }
    }

    /** Terminal: the error is nested under {@code response.error}, never a top-level {@code error} key. */
    record Failed(long sequenceNumber, ObjectNode response) implements ResponsesStreamEvent {
        public String type() {
            return "response.failed";
        }

        public ObjectNode data() {
            return withResponse(type(), sequenceNumber, response);
        }
    }

    record OutputItemAdded(long sequenceNumber, int outputIndex, ResponsesOutputItem item)
            implements ResponsesStreamEvent {
        public String type() {
            return "response.output_item.added";
        }

        public ObjectNode data() {
            ObjectNode o = head(type(), sequenceNumber).put("output_index", outputIndex);
            o.set("item", item.toJson());
            return o;
        }
    }

    /** Codex builds its history only from these: an item never "done" does not exist for it. */
    record OutputItemDone(long sequenceNumber, int outputIndex, ResponsesOutputItem item)
            implements ResponsesStreamEvent {
        public String type() {
            return "response.output_item.done";
        }

        public ObjectNode data() {
            ObjectNode o = head(type(), sequenceNumber).put("output_index", outputIndex);
            o.set("item", item.toJson());
            return o;
        }
    }

    record ContentPartAdded(long sequenceNumber, String itemId, int outputIndex, int contentIndex,
            ResponsesContentPart part) implements ResponsesStreamEvent {
        public String type() {
            return "response.content_part.added";
        }

        public ObjectNode data() {
            ObjectNode o = inPart(type(), sequenceNumber, itemId, outputIndex, contentIndex);
            o.set("part", part.toJson());
            return o;
        }
    }

    record ContentPartDone(long sequenceNumber, String itemId, int outputIndex, int contentIndex,
            ResponsesContentPart part) implements ResponsesStreamEvent {
        public String type() {
            return "response.content_part.done";
        }

        public ObjectNode data() {
            ObjectNode o = inPart(type(), sequenceNumber, itemId, outputIndex, contentIndex);
            o.set("part", part.toJson());
            return o;
        }
    }

    /** {@code logprobs} is required by both SDKs; the gateway never has any, so it is empty. */
    record OutputTextDelta(long sequenceNumber, String itemId, int outputIndex, int contentIndex, String delta)
            implements ResponsesStreamEvent {
        public String type() {
            return "response.output_text.delta";
        }

        public ObjectNode data() {
            ObjectNode o = inPart(type(), sequenceNumber, itemId, outputIndex, contentIndex).put("delta", delta);
            o.putArray("logprobs");
            return o;
        }

        @Override
        public byte[] encode() {
            return deltaBytes(type(), sequenceNumber, itemId, outputIndex, "content_index", contentIndex, delta, true);
        }
    }

    record OutputTextDone(long sequenceNumber, String itemId, int outputIndex, int contentIndex, String text)
            implements ResponsesStreamEvent {
        public String type() {
            return "response.output_text.done";
        }

        public ObjectNode data() {
            ObjectNode o = inPart(type(), sequenceNumber, itemId, outputIndex, contentIndex).put("text", text);
            o.putArray("logprobs");
            return o;
        }
    }

    record RefusalDelta(long sequenceNumber, String itemId, int outputIndex, int contentIndex, String delta)
            implements ResponsesStreamEvent {
        public String type() {
            return "response.refusal.delta";
        }

        public ObjectNode data() {
            return inPart(type(), sequenceNumber, itemId, outputIndex, contentIndex).put("delta", delta);
        }

        @Override
        public byte[] encode() {
            return deltaBytes(type(), sequenceNumber, itemId, outputIndex, "content_index", contentIndex, delta, false);
        }
    }

    record RefusalDone(long sequenceNumber, String itemId, int outputIndex, int contentIndex, String refusal)
            implements ResponsesStreamEvent {
        public String type() {
            return "response.refusal.done";
        }

        public ObjectNode data() {
            return inPart(type(), sequenceNumber, itemId, outputIndex, contentIndex).put("refusal", refusal);
        }
    }

    record FunctionCallArgumentsDelta(long sequenceNumber, String itemId, int outputIndex, String delta)
            implements ResponsesStreamEvent {
        public String type() {
            return "response.function_call_arguments.delta";
        }

        public ObjectNode data() {
            return item(type(), sequenceNumber, itemId, outputIndex).put("delta", delta);
        }

        @Override
        public byte[] encode() {
            return deltaBytes(type(), sequenceNumber, itemId, outputIndex, null, 0, delta, false);
        }
    }

    /** {@code name} is required by openai-python's type (an older Ollama left it out); openai-java ignores it. */
    record FunctionCallArgumentsDone(long sequenceNumber, String itemId, int outputIndex, String name,
            String arguments) implements ResponsesStreamEvent {
        public String type() {
            return "response.function_call_arguments.done";
        }

        public ObjectNode data() {
            return item(type(), sequenceNumber, itemId, outputIndex).put("name", name).put("arguments", arguments);
        }
    }

    record CustomToolCallInputDelta(long sequenceNumber, String itemId, int outputIndex, String delta)
            implements ResponsesStreamEvent {
        public String type() {
            return "response.custom_tool_call_input.delta";
        }

        public ObjectNode data() {
            return item(type(), sequenceNumber, itemId, outputIndex).put("delta", delta);
        }
    }

    record CustomToolCallInputDone(long sequenceNumber, String itemId, int outputIndex, String input)
            implements ResponsesStreamEvent {
        public String type() {
            return "response.custom_tool_call_input.done";
        }

        public ObjectNode data() {
            return item(type(), sequenceNumber, itemId, outputIndex).put("input", input);
        }
    }

    /** Codex needs {@code content_index} here to place the delta (responses-api.md §4.3). */
    record ReasoningTextDelta(long sequenceNumber, String itemId, int outputIndex, int contentIndex, String delta)
            implements ResponsesStreamEvent {
        public String type() {
            return "response.reasoning_text.delta";
        }

        public ObjectNode data() {
            return inPart(type(), sequenceNumber, itemId, outputIndex, contentIndex).put("delta", delta);
        }
    }

    record ReasoningTextDone(long sequenceNumber, String itemId, int outputIndex, int contentIndex, String text)
            implements ResponsesStreamEvent {
        public String type() {
            return "response.reasoning_text.done";
        }

        public ObjectNode data() {
            return inPart(type(), sequenceNumber, itemId, outputIndex, contentIndex).put("text", text);
        }
    }

    /** Opens a summary section; Codex starts a new paragraph on it. */
    record ReasoningSummaryPartAdded(long sequenceNumber, String itemId, int outputIndex, int summaryIndex,
            String text) implements ResponsesStreamEvent {
        public String type() {
            return "response.reasoning_summary_part.added";
        }

        public ObjectNode data() {
            ObjectNode o = item(type(), sequenceNumber, itemId, outputIndex).put("summary_index", summaryIndex);
            o.set("part", new ResponsesContentPart.SummaryText(text).toJson());
            return o;
        }
    }

    record ReasoningSummaryPartDone(long sequenceNumber, String itemId, int outputIndex, int summaryIndex,
            String text) implements ResponsesStreamEvent {
        public String type() {
            return "response.reasoning_summary_part.done";
        }

        public ObjectNode data() {
            ObjectNode o = item(type(), sequenceNumber, itemId, outputIndex).put("summary_index", summaryIndex);
            o.set("part", new ResponsesContentPart.SummaryText(text).toJson());
            return o;
        }
    }

    /** Codex needs {@code summary_index} here (responses-api.md §4.3). */
    record ReasoningSummaryTextDelta(long sequenceNumber, String itemId, int outputIndex, int summaryIndex,
            String delta) implements ResponsesStreamEvent {
        public String type() {
            return "response.reasoning_summary_text.delta";
        }

        public ObjectNode data() {
            return item(type(), sequenceNumber, itemId, outputIndex).put("summary_index", summaryIndex)
                    .put("delta", delta);
        }

        @Override
        public byte[] encode() {
            return deltaBytes(type(), sequenceNumber, itemId, outputIndex, "summary_index", summaryIndex, delta, false);
        }
    }

    record ReasoningSummaryTextDone(long sequenceNumber, String itemId, int outputIndex, int summaryIndex,
            String text) implements ResponsesStreamEvent {
        public String type() {
            return "response.reasoning_summary_text.done";
        }

        public ObjectNode data() {
            return item(type(), sequenceNumber, itemId, outputIndex).put("summary_index", summaryIndex)
                    .put("text", text);
        }
    }

    /**
     * The stream-level error event. Codex ignores it and both SDKs treat it as an ordinary event, so it is never
     * a terminal: when sent, {@code response.failed} must follow (responses-api.md §4.4).
     */
    record Error(long sequenceNumber, String code, String message, String param) implements ResponsesStreamEvent {
        public String type() {
            return "error";
        }

        public ObjectNode data() {
            ObjectNode o = head(type(), sequenceNumber);
            if (code == null) {
                o.putNull("code");
            } else {
                o.put("code", code);
            }
            o.put("message", message);
            if (param == null) {
                o.putNull("param");
            } else {
                o.put("param", param);
            }
            return o;
        }
    }

    /** An event type this gateway does not model, kept as it came. */
    record Unknown(String type, long sequenceNumber, ObjectNode data) implements ResponsesStreamEvent {
        public static Unknown of(JsonNode raw) {
            ObjectNode o = raw instanceof ObjectNode obj ? obj : Json.object();
            return new Unknown(o.path("type").asText("unknown"), o.path("sequence_number").asLong(-1), o);
        }

        public ObjectNode data() {
            return data.deepCopy();
        }
    }
}
