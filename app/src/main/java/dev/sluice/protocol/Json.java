package dev.sluice.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's JSON mapper. Bodies are handled as trees so that fields the gateway does not model pass
 * through unchanged; nesting depth is capped so a hostile body cannot blow the stack.
 */
public final class Json {
    /** Deepest nesting of objects and arrays a parse accepts. */
    public static final int MAX_DEPTH = 200;
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();
    public static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);
    public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {}

    public static JsonNode parse(byte[] bytes) throws IOException {
        return MAPPER.readTree(bytes);
    }

    public static JsonNode parse(String text) throws IOException {
        return MAPPER.readTree(text);
    }

    /** Parses or returns null: for upstream bodies, where anything may arrive. */
    public static JsonNode tryParse(byte[] bytes) {
        try {
            return bytes.length == 0 ? null : MAPPER.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * One top-level member of a body that should be a JSON object, read without building a tree of the rest (the
     * other members are skipped token by token): a gateway that forwards an answer unchanged only needs its
     * {@code usage}, and the whole tree was 5 % of a small request's CPU (docs/PERFORMANCE.md). A missing member is
     * a {@code MissingNode}, a repeated one is its last value (as a tree has it); null when the body is not a JSON
     * object up to its closing brace (where {@link #tryParse} would give null or no object).
     */
    public static JsonNode member(byte[] bytes, String name) {
        if (bytes.length == 0) {
            return null;
        }
        try (JsonParser p = FACTORY.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonNode found = MissingNode.getInstance();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String n = p.currentName();
                p.nextToken();
                if (name.equals(n)) {
                    found = MAPPER.readTree(p);
                } else {
                    p.skipChildren();
                }
            }
            return t == JsonToken.END_OBJECT ? found : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Parses text (a stream event's data) or returns null. Parsed as its UTF-8 bytes: Jackson's byte parser is
     * faster than its character one (a translated stream parses every event; JMH in docs/PERFORMANCE.md).
     */
    public static JsonNode tryParse(String text) {
        try {
            return text == null || text.isEmpty() ? null : MAPPER.readTree(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return null;
        }
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String string(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    /**
     * Whether {@code text} is exactly one JSON object ({@link JsonCheck}: one pass over the characters, no
     * allocation): cheap enough for every event a pass-through forwards.
     */
    public static boolean isObject(String text) {
        return JsonCheck.isObject(text);
    }

    /** Text of a field, or null when it is missing or not textual. */
    public static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }
}
