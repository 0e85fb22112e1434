package dev.sluice.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * The exact-match key of a request: SHA-256 over the dialect, endpoint, alias, whether it streams, any header
 * that changes the answer, and the JSON body with object keys sorted and {@code stream} removed (it is the
 * flag before). Whitespace and key order do not matter; every other byte of every value does.
 */
public final class CacheKey {
    private CacheKey() {}

    public static String of(String dialect, String endpoint, String alias, boolean stream, String extra,
            JsonNode body) {
        JsonNode normal = sorted(body);
        if (normal instanceof ObjectNode o) {
            o.remove("stream");
        }
        String head = "sluice-cache-v1\n" + dialect + "\n" + endpoint + "\n" + alias + "\n" + stream + "\n"
                + (extra == null ? "" : extra) + "\n";
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(head.getBytes(StandardCharsets.UTF_8));
            sha.update(Json.bytes(normal));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A deep copy with every object's keys in sorted order. */
    static JsonNode sorted(JsonNode n) {
        if (n == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        if (n.isObject()) {
            List<String> names = new ArrayList<>();
            n.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            for (String k : names) {
                o.set(k, sorted(n.get(k)));
            }
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            for (JsonNode e : n) {
                a.add(sorted(e));
            }
            return a;
        }
        return n;
    }
}
