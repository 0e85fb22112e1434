package dev.sluice.endpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import java.util.Map;

/** A deployment's request defaults (config file extra params): set only where the client set nothing. */
public final class RequestDefaults {
    private RequestDefaults() {}

    /** Returns true when a field was added. */
    public static boolean apply(ObjectNode body, Map<String, Object> defaults) {
        boolean added = false;
        for (var e : defaults.entrySet()) {
            if (!body.has(e.getKey())) {
                body.set(e.getKey(), Json.MAPPER.valueToTree(e.getValue()));
                added = true;
            }
        }
        return added;
    }
}
