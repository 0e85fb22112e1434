package dev.sluice.protocol.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;

/**
 * A content part of an output item (responses-api.md §2.2, §4.2): the parts of an assistant {@code message}
 * ({@code output_text}, {@code refusal}) and of a {@code reasoning} item ({@code reasoning_text} in
 * {@code content}, {@code summary_text} in {@code summary}).
 */
public sealed interface ResponsesContentPart {

    ObjectNode toJson();

    /**
     * {@code annotations} and {@code logprobs} are always present and empty: openai-java requires
     * {@code annotations}, and openai-python's accumulator appends to {@code logprobs}.
     */
    record OutputText(String text) implements ResponsesContentPart {
        public ObjectNode toJson() {
            ObjectNode o = Json.object().put("type", "output_text").put("text", text);
            o.putArray("annotations");
            o.putArray("logprobs");
            return o;
        }
    }

    record Refusal(String refusal) implements ResponsesContentPart {
        public ObjectNode toJson() {
            return Json.object().put("type", "refusal").put("refusal", refusal);
        }
    }

    /** Raw chain of thought, as chat runtimes stream it in {@code reasoning_content}. */
    record ReasoningText(String text) implements ResponsesContentPart {
        public ObjectNode toJson() {
            return Json.object().put("type", "reasoning_text").put("text", text);
        }
    }

    record SummaryText(String text) implements ResponsesContentPart {
        public ObjectNode toJson() {
            return Json.object().put("type", "summary_text").put("text", text);
        }
    }

    /** A part type this gateway does not model, kept as it came. */
    record Unknown(ObjectNode json) implements ResponsesContentPart {
        public static Unknown of(JsonNode raw) {
            return new Unknown(raw instanceof ObjectNode o ? o : Json.object());
        }

        public ObjectNode toJson() {
            return json.deepCopy();
        }
    }
}
