package dev.sluice.cache;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.protocol.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * The exact-match key of a request: SHA-256 over the dialect, endpoint, alias, whether it streams, any header
 * that changes the answer, the caller's scope (so one tenant never gets, or learns of, another's entry), and the JSON body with object keys sorted and {@code stream} removed (it is the
 * flag before). Whitespace and key order do not matter; every other byte of every value does.
 *
 * <p>The sorted body is written straight into the digest: no copy of the request tree is made, so a large request
 * costs the cache a walk, not a second tree (issue 13).
 */
public final class CacheKey {
    private CacheKey() {}

    public static String of(String dialect, String endpoint, String alias, boolean stream, String extra,
            JsonNode body) {
        return of(dialect, endpoint, alias, stream, extra, body, "");
    }

    /**
     * @param scope whose entry this is: the caller's identity, or "" where callers share (no keys, or an alias
     *     with {@code shared: true}); "" gives the key computed before scopes existed
     */
    public static String of(String dialect, String endpoint, String alias, boolean stream, String extra,
            JsonNode body, String scope) {
        // a scope line cannot be mistaken for the body that follows, which starts with a JSON value
        String head = "sluice-cache-v1\n" + dialect + "\n" + endpoint + "\n" + alias + "\n" + stream + "\n"
                + (extra == null ? "" : extra) + "\n" + (scope == null || scope.isEmpty() ? "" : "scope:" + scope
                + "\n");
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha.update(head.getBytes(StandardCharsets.UTF_8));
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(new DigestSink(sha))) {
            write(g, body == null ? Json.NODES.nullNode() : body, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** {@code n} as compact JSON with every object's keys in sorted order; {@code stream} left out at the top. */
    private static void write(JsonGenerator g, JsonNode n, boolean top) throws IOException {
        if (n.isObject()) {
            List<String> names = new ArrayList<>(n.size());
            n.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            g.writeStartObject();
            for (String k : names) {
                if (top && k.equals("stream")) {
                    continue;
                }
                g.writeFieldName(k);
                write(g, n.get(k), false);
            }
            g.writeEndObject();
        } else if (n.isArray()) {
            g.writeStartArray();
            for (JsonNode e : n) {
                write(g, e, false);
            }
            g.writeEndArray();
        } else {
            g.writeTree(n);
        }
    }

    /** Feeds the generator's bytes to the digest as they are flushed. */
    private static final class DigestSink extends OutputStream {
        private final MessageDigest sha;

        DigestSink(MessageDigest sha) {
            this.sha = sha;
        }

        @Override
        public void write(int b) {
            sha.update((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            sha.update(b, off, len);
        }
    }
}
