package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Anthropic Messages request to an OpenAI chat request (protocols.md §3.1). Anthropic-only features the
 * runtime cannot honour (cache_control, context_management, betas) are dropped, not refused; server tools are
 * dropped and listed ({@link AnthropicRequest#droppedTools()}). How the runtime differs comes from
 * {@link ChatTarget}: the token field, stop-sequence limit, top_k, reasoning models, reasoning replay, prefill.
 * docs/ANTHROPIC.md lists every mapping.
 */
public final class AnthropicToOpenAiRequest {
    private final ChatTarget profile;
    private final Map<String, String> toolNames = new HashMap<>();
    private final Set<String> toolUseIds = new HashSet<>();
    private final List<String> systemParts = new ArrayList<>();
    private final ArrayNode messages = Json.NODES.arrayNode();
    private final List<String> droppedTools = new ArrayList<>();

    private final boolean mistralIds;

    private AnthropicToOpenAiRequest(ChatTarget profile, String upstreamModel) {
        this.profile = profile;
        // vLLM with a Mistral tokenizer accepts only 9-character alphanumeric tool-call ids (vllm#9019)
        this.mistralIds = profile.mistralToolIds() && upstreamModel != null
                && MISTRAL.matcher(upstreamModel).find();
    }

    private static final java.util.regex.Pattern MISTRAL = java.util.regex.Pattern.compile("(?i)(mi[sx]tral|stral)");

    /** The id sent upstream for a client's tool_use id: the same on every turn, so history stays paired. */
    private String upstreamToolId(String id) {
        return mistralIds ? AnthropicIds.mistralToolId(id) : id;
    }

    /**
     * @param upstreamModel the name to send the backend (after alias resolution)
     * @param clientModel the name the client sent, echoed back
     */
    public static AnthropicRequest translate(ObjectNode req, ChatTarget profile, String upstreamModel,
            String clientModel) {
        return new AnthropicToOpenAiRequest(profile, upstreamModel).run(req, upstreamModel, clientModel);
    }

    private AnthropicRequest run(ObjectNode req, String upstreamModel, String clientModel) {
        JsonNode msgs = req.get("messages");
        if (msgs == null || !msgs.isArray() || msgs.isEmpty()) {
            throw GatewayException.invalid("messages: at least one message is required", "messages");
        }
        ObjectNode out = Json.object();
        out.put("model", profile.fixedModel() != null ? profile.fixedModel() : upstreamModel);
        system(req.get("system"));
        for (JsonNode m : msgs) {
            message(m);
        }
        if (!systemParts.isEmpty()) {
            ObjectNode sys = Json.object();
            sys.put("role", "system");
            sys.put("content", String.join("\n\n", systemParts));
            messages.insert(0, sys);
        }
        out.set("messages", messages);
        continueFinalMessage(out);
        int maxTokens = req.path("max_tokens").asInt(-1);
        if (maxTokens > 0) {
            out.put(profile.tokenField().field(), maxTokens);
        }
        String sentModel = out.path("model").asText();
        boolean reasoningModel = profile.reasoningModel(sentModel);
        if (profile.reasoningModels() == null || !reasoningModel) {
            // OpenAI's reasoning models answer 400 to any temperature or top_p but the default
            copyNumber(req, out, "temperature");
            copyNumber(req, out, "top_p");
        }
        if (profile.topK()) {
            copyNumber(req, out, "top_k");
        }
        List<String> stops = new ArrayList<>();
        for (JsonNode s : req.path("stop_sequences")) {
            if (s.isTextual() && !s.asText().isEmpty()
                    && (profile.maxStopSequences() == 0 || stops.size() < profile.maxStopSequences())) {
                stops.add(s.asText());
            }
        }
        if (!stops.isEmpty()) {
            ArrayNode stop = out.putArray("stop");
            stops.forEach(stop::add);
        }
        String user = Json.text(req.path("metadata"), "user_id");
        if (user != null && !user.isEmpty()) {
            out.put("user", user);
        }
        AnthropicToOpenAiTools.translate(req, out, profile, toolNames, droppedTools);
        if (reasoningModel) {
            AnthropicToOpenAiThinking.translate(req, out, profile);
        }
        JsonNode format = req.path("output_config").path("format");
        if (format.isMissingNode()) {
            format = req.path("output_format");
        }
        if ("json_schema".equals(Json.text(format, "type")) && format.has("schema")) {
            ObjectNode rf = out.putObject("response_format");
            rf.put("type", "json_schema");
            ObjectNode js = rf.putObject("json_schema");
            js.put("name", "structured_output");
            js.set("schema", format.get("schema"));
            js.put("strict", true);
        }
        boolean stream = req.path("stream").asBoolean(false);
        if (stream) {
            out.put("stream", true);
            if (profile.streamUsage()) {
                out.putObject("stream_options").put("include_usage", true);
            }
        }
        long estimate = TokenEstimate.ofAnthropicRequest(req);
        return new AnthropicRequest(out, clientModel, stream, Map.copyOf(toolNames), List.copyOf(stops), estimate,
                maxTokens, List.copyOf(droppedTools), !profile.uniqueToolIds());
    }

    private static void copyNumber(JsonNode from, ObjectNode to, String field) {
        JsonNode v = from.get(field);
        if (v != null && v.isNumber()) {
            to.set(field, v);
        }
    }

    private void system(JsonNode system) {
        if (system == null || system.isNull()) {
            return;
        }
        if (system.isTextual()) {
            if (!system.asText().isBlank()) {
                systemParts.add(system.asText());
            }
            return;
        }
        // block form is flattened: strict backends reject array system content (any-llm PR#1232)
        for (JsonNode b : system) {
            String t = Json.text(b, "text");
            if (t != null && !t.isBlank()) {
                systemParts.add(t);
            }
        }
    }

    private static List<JsonNode> blocks(JsonNode content) {
        List<JsonNode> out = new ArrayList<>();
        if (content == null || content.isNull()) {
            return out;
        }
        if (content.isTextual()) {
            ObjectNode t = Json.object();
            t.put("type", "text");
            t.put("text", content.asText());
            out.add(t);
            return out;
        }
        content.forEach(out::add);
        return out;
    }

    private void message(JsonNode m) {
        String role = Json.text(m, "role");
        if (role == null) {
            throw GatewayException.invalid("messages: each message needs a role of \"user\" or \"assistant\"",
                    "messages");
        }
        List<JsonNode> blocks = blocks(m.get("content"));
        switch (role) {
            case "system" -> blocks.forEach(b -> {
                String t = Json.text(b, "text");
                if (t != null && !t.isBlank()) {
                    // many chat templates reject a system message that is not first: merge into the top one
                    systemParts.add(t);
                }
            });
            case "assistant" -> assistant(blocks);
            case "user" -> user(blocks);
            default -> throw GatewayException.invalid("messages: unknown role \"" + role
                    + "\" (expected \"user\" or \"assistant\")", "messages");
        }
    }

    private void assistant(List<JsonNode> blocks) {
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ArrayNode calls = Json.NODES.arrayNode();
        for (JsonNode b : blocks) {
            String type = Json.text(b, "type");
            if ("text".equals(type)) {
                text.append(b.path("text").asText(""));
            } else if ("thinking".equals(type) && profile.replayReasoning()) {
                reasoning.append(b.path("thinking").asText(""));
            } else if ("tool_use".equals(type)) {
                String id = Json.text(b, "id");
                String name = Json.text(b, "name");
                if (id == null || name == null) {
                    throw GatewayException.invalid("messages: a tool_use block needs an id and a name", "messages");
                }
                toolUseIds.add(id);
                ObjectNode call = calls.addObject();
                call.put("id", upstreamToolId(id));
                call.put("type", "function");
                call.putObject("function").put("name", AnthropicIds.upstreamToolName(name))
                        .put("arguments", Json.string(b.has("input") ? b.get("input") : Json.object()));
            }
            // redacted_thinking, and thinking where the template does not render it: dropped
        }
        if (text.isEmpty() && calls.isEmpty()) {
            return;
        }
        ObjectNode msg = Json.object();
        msg.put("role", "assistant");
        if (text.isEmpty()) {
            msg.putNull("content");
        } else {
            msg.put("content", text.toString());
        }
        if (!reasoning.isEmpty()) {
            // Qwen3 / GLM / Kimi / DeepSeek templates render past reasoning from this field (vllm#33616)
            msg.put("reasoning_content", reasoning.toString());
        }
        if (!calls.isEmpty()) {
            msg.set("tool_calls", calls);
        }
        JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        if (last != null && "assistant".equals(Json.text(last, "role")) && last instanceof ObjectNode prev) {
            mergeAssistant(prev, msg);
            return;
        }
        messages.add(msg);
    }

    private static void mergeAssistant(ObjectNode prev, ObjectNode next) {
        String a = prev.path("content").isTextual() ? prev.get("content").asText() : "";
        String b = next.path("content").isTextual() ? next.get("content").asText() : "";
        String joined = a.isEmpty() ? b : b.isEmpty() ? a : a + "\n\n" + b;
        if (joined.isEmpty()) {
            prev.putNull("content");
        } else {
            prev.put("content", joined);
        }
        if (next.has("reasoning_content")) {
            prev.put("reasoning_content", prev.path("reasoning_content").asText("")
                    + next.get("reasoning_content").asText());
        }
        if (next.has("tool_calls")) {
            prev.withArray("tool_calls").addAll((ArrayNode) next.get("tool_calls"));
        }
    }

    /**
     * A final assistant message is a prefill: the answer continues it (Anthropic semantics). vLLM and SGLang
     * need to be told, or they answer it with a new assistant turn.
     */
    private void continueFinalMessage(ObjectNode out) {
        if (!profile.continueFinalMessage() || messages.isEmpty()) {
            return;
        }
        JsonNode last = messages.get(messages.size() - 1);
        if ("assistant".equals(Json.text(last, "role")) && last.path("content").isTextual()
                && !last.has("tool_calls")) {
            out.put("continue_final_message", true);
            out.put("add_generation_prompt", false);
        }
    }

    private void user(List<JsonNode> blocks) {
        List<ObjectNode> toolMessages = new ArrayList<>();
        ArrayNode parts = Json.NODES.arrayNode();
        ArrayNode toolImages = Json.NODES.arrayNode();
        for (JsonNode b : blocks) {
            String type = Json.text(b, "type");
            if (type == null) {
                continue;
            }
            switch (type) {
                case "text" -> {
                    String t = b.path("text").asText("");
                    if (!t.isEmpty()) {
                        parts.addObject().put("type", "text").put("text", t);
                    }
                }
                case "image" -> parts.add(AnthropicToOpenAiParts.image(b, profile));
                case "document" -> parts.addObject().put("type", "text").put("text", AnthropicToOpenAiParts.document(b));
                case "tool_result" -> toolMessages.add(toolResult(b, toolImages));
                default -> {
                    // search_result and server-tool blocks: only the real Anthropic API understands them
                }
            }
        }
        // tool results first: every assistant tool call must be answered before the next user turn
        toolMessages.forEach(messages::add);
        parts.addAll(toolImages);
        if (parts.isEmpty()) {
            return;
        }
        ObjectNode msg = Json.object();
        msg.put("role", "user");
        boolean allText = true;
        for (JsonNode p : parts) {
            allText &= "text".equals(Json.text(p, "type"));
        }
        // a plain string where possible: several runtimes handle it better than parts (LocalAI#10552)
        if (allText) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode p : parts) {
                if (!sb.isEmpty()) {
                    sb.append("\n\n");
                }
                sb.append(p.path("text").asText());
            }
            msg.put("content", sb.toString());
        } else {
            msg.set("content", parts);
        }
        JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        if (last != null && "user".equals(Json.text(last, "role")) && last instanceof ObjectNode prev) {
            mergeUser(prev, msg);
            return;
        }
        messages.add(msg);
    }

    private static void mergeUser(ObjectNode prev, ObjectNode next) {
        if (prev.path("content").isTextual() && next.path("content").isTextual()) {
            prev.put("content", prev.get("content").asText() + "\n\n" + next.get("content").asText());
            return;
        }
        ArrayNode merged = Json.NODES.arrayNode();
        for (ObjectNode m : List.of(prev, next)) {
            JsonNode c = m.get("content");
            if (c.isTextual()) {
                merged.addObject().put("type", "text").put("text", c.asText());
            } else {
                merged.addAll((ArrayNode) c);
            }
        }
        prev.set("content", merged);
    }

    private ObjectNode toolResult(JsonNode b, ArrayNode images) {
        String id = Json.text(b, "tool_use_id");
        if (id == null || id.isEmpty()) {
            throw GatewayException.invalid("messages: a tool_result block needs a tool_use_id", "messages");
        }
        if (!toolUseIds.contains(id)) {
            // never silently empty or drop the id (vllm PR#34745): the model could not match the result
            throw GatewayException.invalid("messages: tool_result refers to tool_use_id \"" + id
                    + "\", which no earlier tool_use block has", "messages");
        }
        JsonNode content = b.get("content");
        StringBuilder text = new StringBuilder();
        if (content != null && content.isTextual()) {
            text.append(content.asText());
        } else if (content != null && content.isArray()) {
            for (JsonNode c : content) {
                String type = Json.text(c, "type");
                if ("text".equals(type)) {
                    if (!text.isEmpty()) {
                        text.append("\n");
                    }
                    text.append(c.path("text").asText(""));
                } else if ("image".equals(type)) {
                    // the OpenAI tool role cannot hold images: they follow in a user message
                    images.add(AnthropicToOpenAiParts.image(c, profile));
                }
            }
        }
        ObjectNode msg = Json.object();
        msg.put("role", "tool");
        msg.put("tool_call_id", upstreamToolId(id));
        msg.put("content", b.path("is_error").asBoolean(false) ? "Error: " + text : text.toString());
        return msg;
    }
}
