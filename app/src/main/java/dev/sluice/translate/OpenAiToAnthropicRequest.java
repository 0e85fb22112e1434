package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI chat request in, Anthropic Messages request out, for a deployment on the real Anthropic API
 * (protocols.md §3.3, edge cases §5.6). {@code reasoning_effort} becomes {@code thinking} with a budget;
 * {@code response_format: json_object} becomes a system instruction; {@code logprobs} is refused (400), since
 * Claude has no token probabilities to give. What else the Messages API has no place for ({@code logit_bias},
 * {@code seed}, penalties, unknown fields) is dropped: the Messages API rejects fields it does not know.
 * docs/ANTHROPIC.md lists every mapping.
 */
public final class OpenAiToAnthropicRequest {
    /**
     * {@code max_tokens} when the client sets neither {@code max_completion_tokens} nor {@code max_tokens}: the
     * Messages API requires it. A deployment can set its own with {@code max_tokens} in the config file's params.
     */
    public static final int DEFAULT_MAX_TOKENS = 4096;

    private static final Set<String> IMAGE_TYPES = Set.of("image/jpeg", "image/png", "image/gif", "image/webp");

    private OpenAiToAnthropicRequest() {}

    /**
     * A request made ready for an Anthropic deployment.
     *
     * @param body the Messages request to send
     * @param clientModel the model the client asked for, echoed back to it
     * @param clientWantsUsage the client asked for {@code stream_options.include_usage}
     */
    public record Prepared(ObjectNode body, boolean stream, String clientModel, boolean clientWantsUsage) {
        public byte[] bytes() {
            return Json.bytes(body);
        }
    }

    /**
     * @param req the client's chat request (request defaults already applied)
     * @param upstreamModel the model the deployment must be sent
     * @param clientModel the name the client used
     * @throws GatewayException 400 for input the Messages API cannot take ({@code n > 1}, audio, bad images)
     */
    public static Prepared translate(ObjectNode req, String upstreamModel, String clientModel) {
        JsonNode n = req.get("n");
        if (n != null && n.canConvertToInt() && n.asInt() > 1) {
            throw GatewayException.invalid("n > 1 is not supported by Anthropic deployments; send n separate requests",
                    "n");
        }
        if (req.path("logprobs").asBoolean(false) || req.hasNonNull("top_logprobs")) {
            throw GatewayException.invalid("logprobs is not supported by Anthropic deployments: Claude does not"
                    + " return token probabilities", req.path("logprobs").asBoolean(false) ? "logprobs" : "top_logprobs");
        }
        ObjectNode out = Json.object();
        out.put("model", upstreamModel);
        JsonNode messagesNode = req.get("messages");
        if (messagesNode == null || !messagesNode.isArray()) {
            throw GatewayException.invalid("'messages' must be an array", "messages");
        }
        Map<String, String> ids = new HashMap<>();
        List<String> system = new ArrayList<>();
        ArrayNode messages = Json.NODES.arrayNode();
        for (JsonNode m : messagesNode) {
            String role = Json.text(m, "role");
            if (role == null) {
                throw GatewayException.invalid("every message needs a 'role'", "messages");
            }
            switch (role) {
                case "system", "developer" -> {
                    String text = plainText(m.get("content"));
                    if (!text.isBlank()) {
                        system.add(text);
                    }
                }
                case "user" -> append(messages, "user", userBlocks(m.get("content")));
                case "assistant" -> append(messages, "assistant", assistantBlocks(m, ids));
                case "tool", "function" -> {
                    ObjectNode r = Json.object();
                    r.put("type", "tool_result");
                    r.put("tool_use_id", toolId(Json.text(m, "tool_call_id"), ids));
                    JsonNode c = m.get("content");
                    r.put("content", plainText(c));
                    ArrayNode one = Json.NODES.arrayNode();
                    one.add(r);
                    append(messages, "user", one);
                }
                default -> throw GatewayException.invalid("unknown message role '" + role + "'", "messages");
            }
        }
        if (!messages.isEmpty() && "assistant".equals(messages.get(0).path("role").asText())) {
            ArrayNode cont = Json.NODES.arrayNode();
            cont.addObject().put("type", "text").put("text", "(continue)");
            ObjectNode first = Json.object();
            first.put("role", "user");
            first.set("content", cont);
            messages.insert(0, first);
        }
        if ("json_object".equals(Json.text(req.path("response_format"), "type"))) {
            // JSON mode has no Messages equivalent; the instruction is what OpenAI's own JSON mode also requires
            system.add(JSON_MODE_INSTRUCTION);
        }
        if (!system.isEmpty()) {
            out.put("system", String.join("\n\n", system));
        }
        out.set("messages", messages);
        JsonNode max = req.get("max_completion_tokens");
        if (max == null || !max.isIntegralNumber()) {
            max = req.get("max_tokens");
        }
        if (max != null && max.isIntegralNumber()) {
            out.set("max_tokens", max);
        } else {
            out.put("max_tokens", DEFAULT_MAX_TOKENS);
        }
        int budget = thinkingBudget(Json.text(req, "reasoning_effort"));
        if (budget > 0) {
            // budget_tokens must stay below max_tokens: the answer keeps the room the client asked for
            int answerRoom = out.path("max_tokens").asInt();
            if (answerRoom <= budget) {
                out.put("max_tokens", answerRoom + budget);
            }
            out.putObject("thinking").put("type", "enabled").put("budget_tokens", budget);
        }
        JsonNode t = req.get("temperature");
        JsonNode topP = req.get("top_p");
        // with thinking on, the API takes no temperature but 1 and no top_p below 0.95: both are left out
        if (budget == 0 && t != null && t.isNumber()) {
            out.put("temperature", Math.min(1.0, Math.max(0.0, t.asDouble())));
        }
        if (budget == 0 && topP != null && topP.isNumber()) {
            out.set("top_p", topP);
        }
        JsonNode stop = req.get("stop");
        if (stop != null && stop.isTextual()) {
            out.putArray("stop_sequences").add(stop.asText());
        } else if (stop != null && stop.isArray() && !stop.isEmpty()) {
            out.set("stop_sequences", stop);
        }
        OpenAiToAnthropicTools.translate(req, out);
        JsonNode format = req.get("response_format");
        if (format != null && "json_schema".equals(Json.text(format, "type"))) {
            JsonNode schema = format.path("json_schema").get("schema");
            if (schema != null && schema.isObject()) {
                out.putObject("output_config").putObject("format").put("type", "json_schema").set("schema", schema);
            }
        }
        String user = Json.text(req, "user");
        if (user == null) {
            user = Json.text(req, "safety_identifier");
        }
        if (user != null && !user.isEmpty()) {
            out.putObject("metadata").put("user_id", user);
        }
        boolean stream = req.path("stream").asBoolean(false);
        if (stream) {
            out.put("stream", true);
        }
        boolean usage = stream && req.path("stream_options").path("include_usage").asBoolean(false);
        return new Prepared(out, stream, clientModel, usage);
    }

    static final String JSON_MODE_INSTRUCTION = "Respond with one valid JSON object and nothing else: no prose,"
            + " no code fences.";

    /**
     * OpenAI's effort levels as thinking budgets (protocols.md §3.3: low 1024, medium 4096, high 16384); 0 for no
     * thinking ({@code none}, or no {@code reasoning_effort}). 1024 is the smallest budget the API takes.
     */
    static int thinkingBudget(String effort) {
        if (effort == null) {
            return 0;
        }
        return switch (effort) {
            case "none" -> 0;
            case "minimal", "low" -> 1024;
            case "high", "xhigh" -> 16384;
            default -> 4096;
        };
    }

    /** Appends a message, merging it into the previous one of the same role (tool results, then user text). */
    private static void append(ArrayNode messages, String role, ArrayNode blocks) {
        if (blocks.isEmpty()) {
            return; // an empty message is a 400 upstream
        }
        if (!messages.isEmpty()) {
            ObjectNode last = (ObjectNode) messages.get(messages.size() - 1);
            if (role.equals(last.path("role").asText())) {
                ((ArrayNode) last.get("content")).addAll(blocks);
                return;
            }
        }
        ObjectNode m = messages.addObject();
        m.put("role", role);
        m.set("content", blocks);
    }

    /** A string, or the text of an array of parts, joined. */
    private static String plainText(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        if (content.isArray()) {
            for (JsonNode p : content) {
                String text = p.isTextual() ? p.asText() : Json.text(p, "text");
                if (text != null) {
                    sb.append(text);
                }
            }
        }
        return sb.toString();
    }

    private static ArrayNode userBlocks(JsonNode content) {
        ArrayNode blocks = Json.NODES.arrayNode();
        if (content == null || content.isNull()) {
            return blocks;
        }
        if (content.isTextual()) {
            addText(blocks, content.asText());
            return blocks;
        }
        if (!content.isArray()) {
            throw GatewayException.invalid("message content must be a string or an array of parts", "messages");
        }
        for (JsonNode p : content) {
            String type = p.isTextual() ? "text" : Json.text(p, "type");
            switch (type == null ? "" : type) {
                case "text" -> addText(blocks, p.isTextual() ? p.asText() : Json.text(p, "text"));
                case "image_url" -> {
                    JsonNode u = p.get("image_url");
                    String url = u == null ? null : u.isTextual() ? u.asText() : Json.text(u, "url");
                    blocks.add(image(url));
                }
                case "file" -> blocks.add(file(p.path("file")));
                case "input_audio" -> throw GatewayException.invalid("audio input is not supported by Anthropic"
                        + " deployments", "messages");
                default -> throw GatewayException.invalid("unsupported content part type '" + type + "'",
                        "messages");
            }
        }
        return blocks;
    }

    private static void addText(ArrayNode blocks, String text) {
        if (text != null && !text.isBlank()) {
            blocks.addObject().put("type", "text").put("text", text);
        }
    }

    private static ObjectNode image(String url) {
        if (url == null || url.isEmpty()) {
            throw GatewayException.invalid("image_url needs a url", "messages");
        }
        ObjectNode block = Json.object();
        block.put("type", "image");
        ObjectNode source = block.putObject("source");
        if (url.startsWith("data:")) {
            int semi = url.indexOf(';');
            int comma = url.indexOf(',');
            String mediaType = semi > 5 ? url.substring(5, semi).toLowerCase(Locale.ROOT) : "";
            // data:<type>;base64,<data>: a comma before the first semicolon is no base64 image (a fuzz finding:
            // "data:image/,ng;base64,..." made substring throw, a 500)
            if (comma < 0 || semi < 0 || semi > comma || !url.substring(semi, comma).contains("base64")) {
                throw GatewayException.invalid("image data URIs must be base64", "messages");
            }
            if (!IMAGE_TYPES.contains(mediaType)) {
                throw GatewayException.invalid("image type '" + mediaType + "' is not supported (jpeg, png, gif,"
                        + " webp)", "messages");
            }
            source.put("type", "base64");
            source.put("media_type", mediaType);
            source.put("data", url.substring(comma + 1));
        } else if (url.startsWith("http://") || url.startsWith("https://")) {
            source.put("type", "url");
            source.put("url", url);
        } else {
            throw GatewayException.invalid("image_url must be a data URI or an http(s) URL", "messages");
        }
        return block;
    }

    private static ObjectNode file(JsonNode file) {
        String data = Json.text(file, "file_data");
        if (data == null || !data.startsWith("data:application/pdf;base64,")) {
            throw GatewayException.invalid("only PDF files given as file_data (a base64 data URI) are supported",
                    "messages");
        }
        ObjectNode block = Json.object();
        block.put("type", "document");
        block.putObject("source").put("type", "base64").put("media_type", "application/pdf")
                .put("data", data.substring(data.indexOf(',') + 1));
        return block;
    }

    /** Text (empty text skipped, §5.6 row 45), then tool_use blocks; reasoning_content dropped (row 46). */
    private static ArrayNode assistantBlocks(JsonNode m, Map<String, String> ids) {
        ArrayNode blocks = Json.NODES.arrayNode();
        JsonNode content = m.get("content");
        if (content != null && content.isArray()) {
            for (JsonNode p : content) {
                String type = p.isTextual() ? "text" : Json.text(p, "type");
                if ("text".equals(type)) {
                    addText(blocks, p.isTextual() ? p.asText() : Json.text(p, "text"));
                } // refusal and other parts have no Anthropic input form
            }
        } else {
            addText(blocks, plainText(content));
        }
        JsonNode calls = m.get("tool_calls");
        if (calls != null && calls.isArray()) {
            for (JsonNode tc : calls) {
                JsonNode fn = tc.path("function");
                ObjectNode b = blocks.addObject();
                b.put("type", "tool_use");
                b.put("id", toolId(Json.text(tc, "id"), ids));
                b.put("name", Json.text(fn, "name") == null ? "" : Json.text(fn, "name"));
                b.set("input", arguments(Json.text(fn, "arguments")));
            }
        }
        return blocks;
    }

    /** {@code JSON.parse(arguments)}; anything that is not a JSON object becomes {@code {}}. */
    private static JsonNode arguments(String args) {
        JsonNode parsed = args == null || args.isBlank() ? null : Json.tryParse(args);
        return parsed != null && parsed.isObject() ? parsed : Json.object();
    }

    /** Ids Anthropic accepts ({@code ^[a-zA-Z0-9_-]+$}) are kept; others map deterministically, the same everywhere. */
    private static String toolId(String id, Map<String, String> ids) {
        if (AnthropicIds.validToolId(id)) {
            return id;
        }
        return ids.computeIfAbsent(id == null ? "" : id, k -> AnthropicIds.mintToolId("openai", 0, k));
    }
}
