package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.protocol.Json;

/** Reading an OpenAI chat chunk's delta the same way in every translator that consumes one. */
final class OpenAiDeltas {
    private OpenAiDeltas() {}

    /** The delta's text field ({@code content}, {@code reasoning_content}, ...), or null when absent or empty. */
    static String text(JsonNode delta, String field) {
        JsonNode v = delta.get(field);
        return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }

    /** Chat arguments as text: a JSON string, or an object (TGI's non-streamed calls, TGI#2461). */
    static String argumentsText(JsonNode arguments) {
        if (arguments == null || arguments.isNull() || arguments.isMissingNode()) {
            return "";
        }
        return arguments.isTextual() ? arguments.asText() : Json.string(arguments);
    }
}
