package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.responses.ResponsesErrors;
import java.util.ArrayList;
import java.util.List;

/** Content parts of Responses input items to chat content (responses-api.md §2.2, §2.3). */
final class ResponsesContent {
    private final ResponsesOptions options;

    ResponsesContent(ResponsesOptions options) {
        this.options = options;
    }

    /**
     * The text of a message's content: a string, or its text parts ({@code input_text}, {@code output_text}, and a
     * {@code refusal} as text) joined with {@code separator}. Annotations, logprobs and phases are dropped.
     */
    static String text(JsonNode content, String separator) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode p : content) {
            String t = Json.text(p, "text");
            if (t == null) {
                t = Json.text(p, "refusal");
            }
            if (t != null) {
                texts.add(t);
            }
        }
        return String.join(separator, texts);
    }

    /** A user message's content: a string when it is all text, else chat parts. */
    JsonNode user(JsonNode content, String where) {
        if (content == null || content.isNull() || content.isTextual()) {
            return Json.NODES.textNode(content == null || content.isNull() ? "" : content.asText());
        }
        ArrayNode parts = Json.NODES.arrayNode();
        boolean allText = true;
        for (int j = 0; j < content.size(); j++) {
            JsonNode p = content.get(j);
            ObjectNode part = part(p, where + "[" + j + "]");
            allText &= "text".equals(part.path("type").asText());
            parts.add(part);
        }
        if (allText) {
            // some runtimes take only string content (LocalAI#10552); text parts of one message are joined as vLLM does
            return Json.NODES.textNode(text(content, "\n"));
        }
        return parts;
    }

    private ObjectNode part(JsonNode p, String where) {
        String type = Json.text(p, "type");
        if ("input_text".equals(type) || "output_text".equals(type) || "text".equals(type)) {
            return Json.object().put("type", "text").put("text", p.path("text").asText(""));
        }
        if ("input_image".equals(type)) {
            return image(p, where);
        }
        if ("input_file".equals(type)) {
            return file(p, where);
        }
        throw ResponsesErrors.unsupportedContent(where, where + ": content type \"" + type
                + "\" is not supported; use input_text, input_image or input_file");
    }

    /** {@code detail} is required by the SDK types but often missing in the wild; leniently optional. */
    private static ObjectNode image(JsonNode p, String where) {
        String url = Json.text(p, "image_url");
        if (url == null && p.path("image_url").isObject()) {
            url = Json.text(p.get("image_url"), "url"); // the chat shape, sent by some clients anyway
        }
        if (url == null || url.isEmpty()) {
            throw ResponsesErrors.unsupportedContent(where, where + ": input_image needs image_url (an https: or data:"
                    + " URL); file_id needs the Files API, which this gateway does not have");
        }
        ObjectNode part = Json.object().put("type", "image_url");
        ObjectNode image = part.putObject("image_url").put("url", url);
        String detail = Json.text(p, "detail");
        if (detail != null) {
            image.put("detail", detail);
        }
        return part;
    }

    private ObjectNode file(JsonNode p, String where) {
        String data = Json.text(p, "file_data");
        if (!options.fileParts() || data == null) {
            throw ResponsesErrors.unsupportedContent(where, where + ": input_file is not supported by this backend"
                    + (options.fileParts() ? " unless sent inline as file_data (there is no Files API here)" : "")
                    + "; send the file's text as input_text instead");
        }
        ObjectNode part = Json.object().put("type", "file");
        ObjectNode file = part.putObject("file").put("file_data", data);
        String name = Json.text(p, "filename");
        if (name != null) {
            file.put("filename", name);
        }
        return part;
    }

    /** Reasoning text of a {@code reasoning} item: raw {@code content} if any, else the summary. */
    static String reasoning(JsonNode item) {
        String raw = text(item.get("content"), "\n");
        return raw.isBlank() ? text(item.get("summary"), "\n\n") : raw;
    }

    /**
     * A tool output: a string as is; parts as their text joined with newlines. Images and files go into the tool
     * message where the backend takes them there, else into {@code after}, a user message after the tool run.
     */
    JsonNode toolOutput(JsonNode output, String where, ArrayNode after) {
        if (output == null || output.isNull() || output.isTextual()) {
            return Json.NODES.textNode(output == null || output.isNull() ? "" : output.asText());
        }
        String text = text(output, "\n");
        ArrayNode media = Json.NODES.arrayNode();
        for (int j = 0; j < output.size(); j++) {
            JsonNode p = output.get(j);
            String type = Json.text(p, "type");
            if ("input_image".equals(type) || "input_file".equals(type)) {
                media.add(part(p, where + "[" + j + "]"));
            }
        }
        if (media.isEmpty()) {
            return Json.NODES.textNode(text);
        }
        if (options.toolImages()) {
            ArrayNode parts = Json.NODES.arrayNode();
            if (!text.isEmpty()) {
                parts.addObject().put("type", "text").put("text", text);
            }
            parts.addAll(media);
            return parts;
        }
        after.addAll(media);
        return Json.NODES.textNode(text.isEmpty() ? "(the tool returned the image below)" : text);
    }
}
