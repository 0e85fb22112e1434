package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;

/** Anthropic content blocks that become other OpenAI content parts (protocols.md §3.1): images and documents. */
final class AnthropicToOpenAiParts {
    private AnthropicToOpenAiParts() {}

    /** An image block as an {@code image_url} part: base64 as a data URI, a URL only where the runtime takes one. */
    static ObjectNode image(JsonNode b, ChatTarget profile) {
        JsonNode src = b.path("source");
        String kind = Json.text(src, "type");
        ObjectNode part = Json.object();
        part.put("type", "image_url");
        if ("base64".equals(kind)) {
            part.putObject("image_url").put("url", "data:" + src.path("media_type").asText("image/png") + ";base64,"
                    + src.path("data").asText(""));
        } else if ("url".equals(kind)) {
            if (!profile.imageUrls()) {
                // Ollama accepts only data URIs; fetching the URL here would open an SSRF hole
                throw GatewayException.invalid("image URLs are not supported by the " + profile.runtime()
                        + " backend; send the image as base64 (source.type \"base64\")", "messages");
            }
            part.putObject("image_url").put("url", src.path("url").asText(""));
        } else {
            throw GatewayException.invalid("image source type \"" + kind + "\" is not supported; use base64 or url",
                    "messages");
        }
        return part;
    }

    /** A document block as text (title, context, body): local runtimes read no PDFs. */
    static String document(JsonNode b) {
        JsonNode src = b.path("source");
        String kind = Json.text(src, "type");
        String body;
        if ("text".equals(kind)) {
            body = src.path("data").asText("");
        } else if ("content".equals(kind)) {
            JsonNode c = src.get("content");
            if (c != null && c.isTextual()) {
                body = c.asText();
            } else {
                StringBuilder sb = new StringBuilder();
                for (JsonNode p : c == null ? Json.NODES.arrayNode() : c) {
                    sb.append(p.path("text").asText(""));
                }
                body = sb.toString();
            }
        } else {
            throw GatewayException.invalid("PDF and URL documents are not supported by local backends; send the"
                    + " document's text (source.type \"text\")", "messages");
        }
        String title = Json.text(b, "title");
        String context = Json.text(b, "context");
        return (title == null ? "" : title + "\n") + (context == null ? "" : context + "\n") + body;
    }
}
