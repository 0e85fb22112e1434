package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import java.util.List;
import java.util.Map;

/** Anthropic {@code tools} and {@code tool_choice} as OpenAI function tools (protocols.md §3.1). */
final class AnthropicToOpenAiTools {
    private AnthropicToOpenAiTools() {}

    /**
     * Sets {@code tools} and {@code tool_choice} on {@code out}; names a runtime would refuse are renamed
     * ({@code toolNames}: upstream name to the client's), server tools are left out ({@code droppedTools}).
     */
    static void translate(JsonNode req, ObjectNode out, ChatTarget profile, Map<String, String> toolNames,
            List<String> droppedTools) {
        JsonNode tools = req.get("tools");
        ArrayNode list = Json.NODES.arrayNode();
        if (tools != null && tools.isArray()) {
            for (JsonNode t : tools) {
                String type = Json.text(t, "type");
                if (type != null && !type.equals("custom")) {
                    // server tools (web_search_*, bash_*, ...) run only on the real Anthropic API: the client is
                    // told which were left out in a response header
                    droppedTools.add(type);
                    continue;
                }
                String name = Json.text(t, "name");
                if (name == null) {
                    throw GatewayException.invalid("tools: each tool needs a name", "tools");
                }
                String upstream = AnthropicIds.upstreamToolName(name);
                if (!upstream.equals(name)) {
                    toolNames.put(upstream, name);
                }
                ObjectNode fn = list.addObject().put("type", "function").putObject("function");
                fn.put("name", upstream);
                if (t.has("description")) {
                    fn.set("description", t.get("description"));
                }
                JsonNode schema = t.get("input_schema");
                fn.set("parameters", schema != null && schema.isObject() ? schema
                        : Json.object().put("type", "object").set("properties", Json.object()));
            }
        }
        JsonNode choice = req.get("tool_choice");
        String choiceType = choice == null ? "auto" : Json.text(choice, "type");
        if (list.isEmpty()) {
            return;
        }
        if ("none".equals(choiceType) && !profile.toolChoiceNone()) {
            return; // Ollama ignores tool_choice; not offering the tools is the only way to say "none"
        }
        out.set("tools", list);
        if (choice == null) {
            return;
        }
        switch (choiceType == null ? "auto" : choiceType) {
            case "any" -> out.put("tool_choice", "required");
            case "none" -> out.put("tool_choice", "none");
            case "tool" -> out.putObject("tool_choice").put("type", "function").putObject("function")
                    .put("name", AnthropicIds.upstreamToolName(choice.path("name").asText("")));
            default -> out.put("tool_choice", "auto");
        }
        if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
            out.put("parallel_tool_calls", false);
        }
    }
}
