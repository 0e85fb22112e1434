package dev.sluice.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import java.util.Map;

/**
 * The body one attempt may change, made without copying the request: a new top-level object whose arrays
 * ({@code messages}, {@code tools}, {@code input}, ...) and scalars are the client's own nodes, shared by every
 * attempt, and whose nested objects are copied. Translators set and remove top-level fields and edit small
 * settings objects in place ({@code stream_options}); they only read the arrays (AttemptBodyTest holds every pair to
 * that). A large request therefore costs each retry or fallback a few nodes, not a second tree (issue 13).
 */
final class AttemptBody {
    private AttemptBody() {}

    static ObjectNode of(ObjectNode request) {
        ObjectNode out = Json.object();
        for (Map.Entry<String, JsonNode> e : request.properties()) {
            JsonNode v = e.getValue();
            out.set(e.getKey(), v.isObject() ? v.deepCopy() : v);
        }
        return out;
    }
}
