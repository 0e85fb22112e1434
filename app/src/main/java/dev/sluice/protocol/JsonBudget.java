package dev.sluice.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Counts what a JSON body would cost as a tree, on its bytes, before any tree is built: one streaming pass that
 * holds nothing but a counter per open array. A body that is over a cap is refused at the cost of reading it once;
 * {@code {"x":[{},{},…]}} of 10 MiB would otherwise become 3.5 million objects (about 300 MB of heap).
 */
public final class JsonBudget {
    /**
     * @param maxNodes values in the whole body: objects, arrays, strings, numbers, booleans and nulls
     * @param maxArrayLength elements of any one array
     * @param topLevelArrays a tighter cap on the arrays of some top-level fields ({@code messages}, {@code tools})
     */
    public record Limits(int maxNodes, int maxArrayLength, Map<String, Integer> topLevelArrays) {
        public Limits {
            topLevelArrays = Map.copyOf(topLevelArrays);
        }
    }

    /** What was over its cap, where ({@code field} is the top-level field for such caps), and the cap. */
    public record Violation(Kind kind, String field, long limit) {}

    public enum Kind { NODES, ARRAY_LENGTH, FIELD_LENGTH }

    /** Open arrays deeper than this cannot exist: nesting is capped at {@link Json#MAX_DEPTH}. */
    private static final int STACK = Json.MAX_DEPTH + 2;

    private JsonBudget() {}

    /**
     * The first cap the body exceeds, or null when it is within all of them. Bytes that are not JSON are not this
     * check's business: it stops at the first syntax error and returns null, so the parser reports it (by then,
     * every value before the error was counted, so a huge prefix is still refused here).
     */
    public static Violation check(byte[] body, Limits limits) {
        if (withinByLength(body.length, limits)) {
            return null;
        }
        try {
            return check(Json.MAPPER.getFactory().createParser(body), limits);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Whether a body this short cannot exceed any cap, whatever it holds: every value starts with a byte of its own
     * ({@code { [ " - t f n} or a digit), so n bytes hold at most n values, and an array's k elements need k - 1
     * commas besides, so at most (n + 1) / 2 elements. Most chat requests are that short, and the counting pass
     * was 6 % of a small request's CPU (docs/PERFORMANCE.md).
     */
    public static boolean withinByLength(long n, Limits limits) {
        if (n > limits.maxNodes()) {
            return false;
        }
        long elements = (n + 1) / 2;
        if (elements > limits.maxArrayLength()) {
            return false;
        }
        for (int cap : limits.topLevelArrays().values()) {
            if (elements > cap) {
                return false;
            }
        }
        return true;
    }

    /** {@link #check(byte[], Limits)} over a stream: a body held off-heap is read through, never copied whole. */
    public static Violation check(InputStream body, Limits limits) {
        try {
            return check(Json.MAPPER.getFactory().createParser(body), limits);
        } catch (IOException e) {
            return null;
        }
    }

    private static Violation check(JsonParser parser, Limits limits) {
        // per depth: elements seen in the array open there, or -1 when an object is open there
        long[] counts = new long[STACK];
        long[] caps = new long[STACK];
        String[] fields = new String[STACK];
        int depth = 0;
        long nodes = 0;
        String pendingField = null;
        try (JsonParser p = parser) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME) {
                    pendingField = depth == 1 ? p.currentName() : null;
                    continue;
                }
                if (t == JsonToken.END_ARRAY || t == JsonToken.END_OBJECT) {
                    depth--;
                    continue;
                }
                if (++nodes > limits.maxNodes()) {
                    return new Violation(Kind.NODES, null, limits.maxNodes());
                }
                if (depth > 0 && counts[depth] >= 0 && ++counts[depth] > caps[depth]) {
                    return counts[depth] > limits.maxArrayLength()
                            ? new Violation(Kind.ARRAY_LENGTH, null, limits.maxArrayLength())
                            : new Violation(Kind.FIELD_LENGTH, fields[depth], caps[depth]);
                }
                if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
                    depth++;
                    if (depth >= STACK) {
                        return null; // the parser refuses this depth with its own message
                    }
                    boolean array = t == JsonToken.START_ARRAY;
                    Integer fieldCap = array && depth == 2 && pendingField != null
                            ? limits.topLevelArrays().get(pendingField) : null;
                    counts[depth] = array ? 0 : -1;
                    caps[depth] = fieldCap == null ? limits.maxArrayLength()
                            : Math.min(fieldCap, limits.maxArrayLength());
                    fields[depth] = fieldCap == null ? null : pendingField;
                }
                pendingField = null;
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
