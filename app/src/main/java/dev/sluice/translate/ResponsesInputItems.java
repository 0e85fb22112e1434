package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Responses {@code instructions} and {@code input} items to chat {@code messages} (responses-api.md §2.2–2.4).
 * Calls that follow each other are folded into one assistant message, and each call is answered by exactly one
 * tool message right after it, whatever order the outputs came in: strict chat templates reject anything else.
 * Not thread-safe: one instance per request.
 */
final class ResponsesInputItems {
    /** History of tools that run on OpenAI's side or in a client runtime this gateway does not expose: dropped. */
    private static final Set<String> HOSTED_HISTORY = Set.of("web_search_call", "file_search_call", "computer_call",
            "computer_call_output", "code_interpreter_call", "image_generation_call", "tool_search_call",
            "tool_search_output", "additional_tools", "configuration_update", "compaction_trigger",
            "mcp_list_tools", "mcp_approval_request", "mcp_approval_response", "mcp_call", "shell_call",
            "shell_call_output", "apply_patch_call", "apply_patch_call_output", "program", "program_output");
    private static final Set<String> CALLS = Set.of("function_call", "custom_tool_call", "local_shell_call");
    private static final Set<String> OUTPUTS = Set.of("function_call_output", "custom_tool_call_output",
            "local_shell_call_output");

    record Result(ArrayNode messages, List<String> dropped) {}

    private final ResponsesOptions options;
    private final ResponsesContent content;
    private final ArrayNode messages = Json.NODES.arrayNode();
    private final List<String> dropped = new ArrayList<>();
    private final List<String> leadingSystem = new ArrayList<>();
    private final Map<String, Integer> outputAt = new HashMap<>();
    private final Map<String, String> openCalls = new LinkedHashMap<>();
    private List<JsonNode> items;
    private List<String> where;
    private ObjectNode openAssistant;
    private final StringBuilder pendingReasoning = new StringBuilder();
    private boolean turns;

    private ResponsesInputItems(ResponsesOptions options) {
        this.options = options;
        this.content = new ResponsesContent(options);
    }

    /**
     * @param items the earlier items (already expanded from {@code previous_response_id}) followed by the input
     * @param where the name of each item for error messages ({@code input[3]})
     */
    static Result translate(String instructions, List<JsonNode> items, List<String> where, ResponsesOptions options) {
        return new ResponsesInputItems(options).run(instructions, items, where);
    }

    private Result run(String instructions, List<JsonNode> input, List<String> names) {
        this.items = input;
        this.where = names;
        if (instructions != null && !instructions.isBlank()) {
            leadingSystem.add(instructions);
        }
        Set<String> calls = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String type = type(items.get(i));
            // an item without a type (a bare string in input[]) is refused by item(i), not here: Set.of rejects null
            if (type != null && CALLS.contains(type)) {
                calls.add(callId(i));
            }
        }
        for (int i = 0; i < items.size(); i++) {
            String type = type(items.get(i));
            if (type != null && OUTPUTS.contains(type)) {
                String id = callId(i);
                if (!calls.contains(id)) {
                    throw GatewayException.invalid(where.get(i) + ": no function_call with call_id '" + id
                            + "' comes before this output; send the call item too (this gateway does not store"
                            + " responses)", "input");
                }
                if (outputAt.putIfAbsent(id, i) != null) {
                    throw GatewayException.invalid(where.get(i) + ": a second output for call_id '" + id + "'",
                            "input");
                }
            }
        }
        for (int i = 0; i < items.size(); i++) {
            item(i);
        }
        closeCalls();
        if (!leadingSystem.isEmpty()) {
            // many chat templates take one system message, at index 0 only; Codex sends two developer messages
            messages.insert(0, Json.object().put("role", "system").put("content", String.join("\n\n", leadingSystem)));
        }
        if (!turns) {
            throw GatewayException.invalid("input: no user or assistant message to answer; send at least one",
                    "input");
        }
        return new Result(messages, dropped);
    }

    static String type(JsonNode item) {
        String type = Json.text(item, "type");
        return type == null && item.has("role") ? "message" : type; // EasyInputMessage leaves the type out
    }

    private String callId(int i) {
        JsonNode item = items.get(i);
        String id = Json.text(item, "call_id");
        if (id == null && "local_shell_call_output".equals(type(item))) {
            id = Json.text(item, "id"); // this output names its call by id
        }
        if (id == null || id.isEmpty()) {
            throw GatewayException.invalid(where.get(i) + ".call_id: required on " + type(item), "input");
        }
        return id;
    }

    private void item(int i) {
        JsonNode item = items.get(i);
        String type = type(item);
        if (type == null) {
            throw GatewayException.invalid(where.get(i) + ": an input item needs a type", "input");
        }
        switch (type) {
            case "message" -> message(i, item);
            case "function_call", "custom_tool_call", "local_shell_call" -> call(i, item, type);
            case "function_call_output", "custom_tool_call_output", "local_shell_call_output" -> {
                if (openCalls.containsKey(callId(i))) {
                    closeCalls(); // the run of calls ends here: answer all of them now
                }
            }
            case "reasoning" -> reasoning(item);
            case "compaction" -> compaction(item);
            default -> {
                if (!HOSTED_HISTORY.contains(type)) {
                    throw GatewayException.invalid(where.get(i) + ": unknown input item type \"" + type
                            + "\"; this gateway maps message, function_call(_output), custom_tool_call(_output),"
                            + " local_shell_call(_output) and reasoning items", where.get(i));
                }
                dropped.add(type);
            }
        }
    }

    private void message(int i, JsonNode item) {
        String role = item.path("role").asText("");
        switch (role) {
            case "system", "developer" -> {
                String text = ResponsesContent.text(item.get("content"), "\n");
                if (!turns) {
                    if (!text.isBlank()) {
                        leadingSystem.add(text);
                    }
                    return;
                }
                closeCalls();
                messages.add(Json.object().put("role", options.laterSystemMessages() ? "system" : "user")
                        .put("content", text));
            }
            case "user" -> {
                closeCalls();
                pendingReasoning.setLength(0); // reasoning belongs to the assistant turn it preceded
                ObjectNode m = Json.object().put("role", "user");
                m.set("content", content.user(item.get("content"), where.get(i) + ".content"));
                messages.add(m);
                turns = true;
            }
            case "assistant" -> {
                String text = ResponsesContent.text(item.get("content"), "");
                if (openAssistant != null && !openAssistant.has("tool_calls")) {
                    if (!text.isEmpty()) {
                        String before = openAssistant.path("content").asText("");
                        openAssistant.put("content", before.isEmpty() ? text : before + "\n\n" + text);
                    }
                    return;
                }
                closeCalls();
                openAssistant(text.isEmpty() ? null : text);
                turns = true;
            }
            default -> throw GatewayException.invalid(where.get(i) + ".role: \"" + role
                    + "\" is not user, assistant, system or developer", "input");
        }
    }

    /**
     * A summary this gateway made ({@link ResponsesCompaction}) stands in for the history it replaced, as a user
     * message; OpenAI's own compaction items are opaque to any other model and are dropped.
     */
    private void compaction(JsonNode item) {
        String summary = ResponsesCompaction.summary(item);
        if (summary == null) {
            dropped.add("compaction");
            return;
        }
        closeCalls();
        pendingReasoning.setLength(0);
        messages.add(Json.object().put("role", "user").put("content", ResponsesCompaction.handoff(summary)));
        turns = true;
    }

    private void openAssistant(String text) {
        ObjectNode m = Json.object().put("role", "assistant");
        if (text == null) {
            m.putNull("content");
        } else {
            m.put("content", text);
        }
        if (!pendingReasoning.isEmpty()) {
            m.put("reasoning_content", pendingReasoning.toString());
            pendingReasoning.setLength(0);
        }
        messages.add(m);
        openAssistant = m;
    }

    private void call(int i, JsonNode item, String type) {
        String id = callId(i);
        String name;
        String arguments;
        switch (type) {
            case "custom_tool_call" -> {
                name = ResponsesTools.chatName(Json.text(item, "namespace"), item.path("name").asText());
                arguments = Json.string(Json.object().put("input", item.path("input").asText("")));
            }
            case "local_shell_call" -> {
                name = "local_shell";
                arguments = Json.string(item.path("action"));
            }
            default -> {
                name = ResponsesTools.chatName(Json.text(item, "namespace"), item.path("name").asText());
                arguments = item.path("arguments").asText("");
            }
        }
        if (openAssistant == null) {
            openAssistant(null);
        }
        ArrayNode calls = openAssistant.has("tool_calls") ? (ArrayNode) openAssistant.get("tool_calls")
                : openAssistant.putArray("tool_calls");
        ObjectNode call = calls.addObject().put("id", id).put("type", "function");
        // Codex parses the arguments as JSON, and a parameterless tool (get_goal) may come back with none
        call.putObject("function").put("name", name).put("arguments", arguments.isBlank() ? "{}" : arguments);
        openCalls.put(id, where.get(i));
        turns = true;
    }

    /**
     * Only the text travels: OpenAI's {@code encrypted_content} is opaque to any other model. Raw
     * {@code content} is preferred to the {@code summary}, which is a paraphrase of it.
     */
    private void reasoning(JsonNode item) {
        if (!options.replayReasoning()) {
            return;
        }
        String text = ResponsesContent.reasoning(item);
        if (text.isBlank()) {
            return;
        }
        if (openAssistant != null) {
            String before = openAssistant.path("reasoning_content").asText("");
            openAssistant.put("reasoning_content", before.isEmpty() ? text : before + "\n\n" + text);
            return;
        }
        pendingReasoning.append(pendingReasoning.isEmpty() ? "" : "\n\n").append(text);
    }

    /** Answers every open call, in call order; a call the client never answered gets "aborted". */
    private void closeCalls() {
        openAssistant = null;
        if (openCalls.isEmpty()) {
            return;
        }
        ArrayNode after = Json.NODES.arrayNode();
        for (String id : openCalls.keySet()) {
            Integer at = outputAt.get(id);
            ObjectNode tool = Json.object().put("role", "tool").put("tool_call_id", id);
            if (at == null) {
                tool.put("content", "aborted");
            } else {
                tool.set("content", content.toolOutput(items.get(at).get("output"), where.get(at) + ".output", after));
            }
            messages.add(tool);
        }
        if (!after.isEmpty()) {
            // images a tool returned, where tool messages take only text: right after the run, so every call is
            // still answered before the next user message (responses-api.md §2.4 step 4)
            ObjectNode user = Json.object().put("role", "user");
            user.set("content", after);
            messages.add(user);
        }
        openCalls.clear();
    }
}
