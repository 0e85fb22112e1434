package dev.sluice.protocol.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import java.util.List;

/**
 * An item of a Response's {@code output} (responses-api.md §3), as sent in {@code response.output_item.added}
 * / {@code .done} and in the final Response. {@code status} is {@code in_progress}, {@code completed} or
 * {@code incomplete}.
 */
public sealed interface ResponsesOutputItem {

    String id();

    ObjectNode toJson();

    /** The same item with another status; a custom tool call has none and comes back unchanged. */
    default ResponsesOutputItem withStatus(String status) {
        return switch (this) {
            case Message m -> new Message(m.id(), status, m.content());
            case FunctionCall f -> new FunctionCall(f.id(), status, f.callId(), f.name(), f.namespace(), f.arguments());
            case CustomToolCall c -> c;
            case Reasoning r -> new Reasoning(r.id(), status, r.summary(), r.content());
            case Compaction c -> c;
            case Unknown u -> u;
        };
    }

    record Message(String id, String status, List<ResponsesContentPart> content) implements ResponsesOutputItem {
        public Message {
            content = List.copyOf(content);
        }

        public ObjectNode toJson() {
            ObjectNode o = Json.object().put("id", id).put("type", "message").put("status", status)
                    .put("role", "assistant");
            ArrayNode parts = o.putArray("content");
            content.forEach(p -> parts.add(p.toJson()));
            return o;
        }
    }

    /**
     * A call of a {@code function} tool. {@code namespace} is the group of a {@code namespace} tool, sent as its
     * own field: Codex builds tool identity from namespace and name separately (responses-api.md §2.5.2).
     */
    record FunctionCall(String id, String status, String callId, String name, String namespace, String arguments)
            implements ResponsesOutputItem {
        public ObjectNode toJson() {
            ObjectNode o = Json.object().put("id", id).put("type", "function_call").put("status", status)
                    .put("call_id", callId);
            if (namespace != null) {
                o.put("namespace", namespace);
            }
            return o.put("name", name).put("arguments", arguments);
        }
    }

    /** A call of a {@code custom} (freeform) tool: {@code input} is the raw text, not JSON. No status in the SDK types. */
    record CustomToolCall(String id, String callId, String name, String namespace, String input)
            implements ResponsesOutputItem {
        public ObjectNode toJson() {
            ObjectNode o = Json.object().put("id", id).put("type", "custom_tool_call").put("call_id", callId);
            if (namespace != null) {
                o.put("namespace", namespace);
            }
            return o.put("name", name).put("input", input);
        }
    }

    /**
     * Reasoning: {@code summary} (required by the SDKs, possibly empty) and raw {@code content}.
     * {@code encrypted_content} is always null: chat runtimes have no opaque reasoning to hand out.
     */
    record Reasoning(String id, String status, List<String> summary, List<String> content)
            implements ResponsesOutputItem {
        public Reasoning {
            summary = List.copyOf(summary);
            content = List.copyOf(content);
        }

        public ObjectNode toJson() {
            ObjectNode o = Json.object().put("id", id).put("type", "reasoning");
            ArrayNode s = o.putArray("summary");
            summary.forEach(t -> s.add(new ResponsesContentPart.SummaryText(t).toJson()));
            ArrayNode c = o.putArray("content");
            content.forEach(t -> c.add(new ResponsesContentPart.ReasoningText(t).toJson()));
            o.putNull("encrypted_content");
            return o.put("status", status);
        }
    }

    /**
     * The result of a compaction (OpenAI's {@code ResponseCompactionItem}): {@code encrypted_content} is opaque to
     * the client, which sends the item back as input in later requests. No status in the SDK types.
     */
    record Compaction(String id, String encryptedContent) implements ResponsesOutputItem {
        public ObjectNode toJson() {
            return Json.object().put("id", id).put("type", "compaction").put("encrypted_content", encryptedContent);
        }
    }

    /** An item type this gateway does not model, kept as it came. */
    record Unknown(ObjectNode json) implements ResponsesOutputItem {
        public static Unknown of(JsonNode raw) {
            return new Unknown(raw instanceof ObjectNode o ? o : Json.object());
        }

        public String id() {
            return json.path("id").asText("");
        }

        public ObjectNode toJson() {
            return json.deepCopy();
        }
    }
}
