package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.protocol.Json;

/**
 * Token counts where no tokenizer is at hand: about four characters per token plus a few tokens per
 * message, as Ollama's own Anthropic layer does (protocols.md §4.3). Never 0 for a non-empty prompt.
 */
public final class TokenEstimate {
    private static final int PER_MESSAGE = 4;
    private static final int PER_IMAGE = 256;

    private TokenEstimate() {}

    public static long ofText(String text) {
        return text == null || text.isEmpty() ? 0 : (text.length() + 3) / 4;
    }

    public static long ofAnthropicRequest(JsonNode req) {
        long chars = 0;
        long images = 0;
        JsonNode system = req.get("system");
        if (system != null) {
            chars += system.isTextual() ? system.asText().length() : textChars(system);
        }
        long messages = 0;
        for (JsonNode m : req.path("messages")) {
            messages++;
            JsonNode c = m.get("content");
            if (c == null) {
                continue;
            }
            if (c.isTextual()) {
                chars += c.asText().length();
            } else {
                chars += textChars(c);
                for (JsonNode b : c) {
                    if ("image".equals(Json.text(b, "type"))) {
                        images++;
                    }
                }
            }
        }
        JsonNode tools = req.get("tools");
        if (tools != null) {
            chars += Json.string(tools).length();
        }
        return Math.max(1, (chars + 3) / 4 + messages * PER_MESSAGE + 3 + images * PER_IMAGE);
    }

    private static long textChars(JsonNode node) {
        long n = 0;
        if (node.isTextual()) {
            return node.asText().length();
        }
        if (node.isObject()) {
            String type = Json.text(node, "type");
            if ("image".equals(type)) {
                return 0;
            }
            if ("tool_use".equals(type)) {
                n += Json.string(node.path("input")).length() + node.path("name").asText("").length();
            }
            for (String field : new String[] {"text", "thinking", "content"}) {
                JsonNode v = node.get(field);
                if (v != null) {
                    n += textChars(v);
                }
            }
            return n;
        }
        if (node.isArray()) {
            for (JsonNode c : node) {
                n += textChars(c);
            }
        }
        return n;
    }
}
