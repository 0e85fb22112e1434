package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;

/** OpenAI function tools and {@code tool_choice} as Anthropic tools (protocols.md §3.3). */
final class OpenAiToAnthropicTools {
    private OpenAiToAnthropicTools() {}

    /**
     * Sets {@code tools} ({@code input_schema} from {@code parameters}, an empty object schema when there is none)
     * and {@code tool_choice} on {@code out}; {@code parallel_tool_calls: false} becomes
     * {@code disable_parallel_tool_use}.
     */
    static void translate(ObjectNode req, ObjectNode out) {
        JsonNode tools = req.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            ArrayNode list = out.putArray("tools");
            for (JsonNode t : tools) {
                JsonNode fn = t.has("function") ? t.get("function") : t;
                ObjectNode a = list.addObject();
                a.put("name", Json.text(fn, "name"));
                if (Json.text(fn, "description") != null) {
                    a.put("description", Json.text(fn, "description"));
                }
                JsonNode params = fn.get("parameters");
                if (params != null && params.isObject()) {
                    a.set("input_schema", params);
                } else {
                    ObjectNode schema = a.putObject("input_schema");
                    schema.put("type", "object");
                    schema.putObject("properties");
                }
                if (fn.path("strict").isBoolean()) {
                    a.put("strict", fn.path("strict").asBoolean());
                }
            }
        }
        JsonNode choice = req.get("tool_choice");
        ObjectNode tc = null;
        if (choice != null && choice.isTextual()) {
            tc = Json.object();
            switch (choice.asText()) {
                case "required" -> tc.put("type", "any");
                case "none" -> tc.put("type", "none");
                default -> tc.put("type", "auto");
            }
        } else if (choice != null && choice.isObject()) {
            String name = Json.text(choice.path("function"), "name");
            tc = Json.object();
            if (name != null) {
                tc.put("type", "tool").put("name", name);
            } else {
                tc.put("type", "auto");
            }
        }
        boolean parallelOff = req.path("parallel_tool_calls").isBoolean()
                && !req.path("parallel_tool_calls").asBoolean();
        if (parallelOff && out.has("tools")) {
            if (tc == null) {
                tc = Json.object().put("type", "auto");
            }
            if (!"none".equals(tc.path("type").asText())) {
                tc.put("disable_parallel_tool_use", true);
            }
        }
        if (tc != null && out.has("tools")) {
            out.set("tool_choice", tc);
        }
    }
}
