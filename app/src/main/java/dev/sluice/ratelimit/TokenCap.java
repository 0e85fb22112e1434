package dev.sluice.ratelimit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.GatewayException;
import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * A ceiling on the tokens one request may ask a backend to generate ({@code LAMBDA_MAX_TOKENS}): the one rule
 * both Lambda entry points (the buffered handlers and the streaming runtime) apply before the gateway sees a
 * request, so a reply fits the function's and API Gateway's time limits. Pure: no I/O; the body is changed in
 * place.
 *
 * <p>After {@link #apply}, every token field of a generation request is a JSON integer from 0 to the cap, and
 * the endpoint's own field is present:
 * <ul>
 *   <li>a value above the cap, in whatever form ({@code 1e6}, {@code 1000000.0}, {@code "1000000"}), is lowered
 *       to the cap: translators and backends read all of those as a million;</li>
 *   <li>a whole number within the cap written another way ({@code 100.0}, {@code "100"}) is written as the
 *       integer;</li>
 *   <li>a request that names none of its endpoint's fields (or names them {@code null}) gets the endpoint's
 *       field set to the cap, since a backend's default may be the whole context window;</li>
 *   <li>anything else is a 400 naming the field: a negative number (Ollama reads {@code num_predict: -1} as "no
 *       limit"), a fraction within the cap, a string that is not a number, a boolean, an object or an array.</li>
 * </ul>
 * The endpoint is read from the path as the router would route it: a query, a trailing slash, doubled
 * slashes, dot segments and percent-escapes do not hide it.
 */
public final class TokenCap {
    /** Jackson's own limit on a number's length: a longer digit string is not parsed (it costs quadratic time). */
    private static final int MAX_NUMBER_CHARS = 1000;

    private final long max;

    /** The generation endpoints and the fields that bound their output; the first is set when none is named. */
    private enum Endpoint {
        CHAT("/v1/chat/completions", "max_tokens", "max_completion_tokens"),
        COMPLETIONS("/v1/completions", "max_tokens", "max_completion_tokens"),
        MESSAGES("/v1/messages", "max_tokens"),
        RESPONSES("/v1/responses", "max_output_tokens");

        final String path;
        final List<String> fields;

        Endpoint(String path, String... fields) {
            this.path = path;
            this.fields = List.of(fields);
        }
    }

    public TokenCap(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
        }
        this.max = max;
    }

    /**
     * The cap a variable sets, {@code defaultMax} when it is unset or blank.
     *
     * @throws IllegalArgumentException naming the variable when its value is not a whole number of at least 1
     */
    public static TokenCap fromVariable(String name, String value, long defaultMax) {
        if (value == null || value.isBlank()) {
            return new TokenCap(defaultMax);
        }
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + value.trim()
                    + " is not a whole number (expected e.g. 4096)");
        }
        if (v < 1) {
            throw new IllegalArgumentException(name + "=" + value.trim() + " must be at least 1");
        }
        return new TokenCap(v);
    }

    public long max() {
        return max;
    }

    /**
     * Applies the cap to {@code body}, the JSON body of a {@code method} request to {@code path}. Requests that
     * are not generation requests are left alone.
     *
     * @return whether the body changed
     * @throws GatewayException a 400 naming the field, when a token field holds something that is not a number
     *     of tokens
     */
    public boolean apply(String method, String path, ObjectNode body) {
        Endpoint endpoint = endpoint(method, path);
        if (endpoint == null) {
            return false;
        }
        boolean changed = false;
        boolean named = false;
        for (String field : endpoint.fields) {
            JsonNode v = body.get(field);
            if (v == null) {
                continue;
            }
            if (v.isNull()) {
                body.remove(field); // null is "the default", which is what the cap is for
                changed = true;
                continue;
            }
            named = true;
            long capped = tokens(field, v);
            if (!(v.isIntegralNumber() && v.canConvertToLong() && v.longValue() == capped)) {
                body.put(field, capped);
                changed = true;
            }
        }
        if (!named) {
            body.put(endpoint.fields.get(0), max);
            changed = true;
        }
        return changed;
    }

    /** The value to send for a token field: the number it holds, at most the cap. */
    private long tokens(String field, JsonNode v) {
        BigDecimal n = number(v);
        if (n == null) {
            throw GatewayException.invalid(field + " must be a whole number of tokens; got " + kind(v), field);
        }
        if (n.signum() < 0) {
            throw GatewayException.invalid(field + " must be 0 or more; got a negative number", field);
        }
        if (n.compareTo(BigDecimal.valueOf(max)) > 0) {
            return max;
        }
        if (n.signum() != 0 && n.stripTrailingZeros().scale() > 0) {
            throw GatewayException.invalid(field + " must be a whole number of tokens; got a fraction", field);
        }
        return n.longValue();
    }

    /** The number a node holds, as a number or as a numeric string; null when it holds none. */
    private static BigDecimal number(JsonNode v) {
        if (v.isNumber()) {
            double d = v.doubleValue();
            if (Double.isInfinite(d) && (v.isDouble() || v.isFloat())) {
                // 1e400 parses as a double infinity
                return d > 0 ? BigDecimal.valueOf(Long.MAX_VALUE) : BigDecimal.valueOf(Long.MIN_VALUE);
            }
            return v.decimalValue();
        }
        if (v.isTextual()) {
            String s = v.textValue();
            if (s.isEmpty() || s.length() > MAX_NUMBER_CHARS) {
                return null;
            }
            try {
                return new BigDecimal(s); // no spaces, NaN, Infinity or hex: those are not numbers here
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static String kind(JsonNode v) {
        return switch (v.getNodeType()) {
            case STRING -> "a string that is not a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            default -> "a " + v.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    private static Endpoint endpoint(String method, String path) {
        if (!"POST".equalsIgnoreCase(method) || path == null) {
            return null;
        }
        String p = normalize(path);
        for (Endpoint e : Endpoint.values()) {
            if (p.endsWith(e.path)) {
                return e;
            }
        }
        return null;
    }

    /** The path as a router sees it: no query, escapes decoded, dot segments resolved, no doubled or final slash. */
    static String normalize(String path) {
        String p = path;
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        try {
            p = URI.create("http://h" + (p.startsWith("/") ? "" : "/") + p).normalize().getPath();
        } catch (IllegalArgumentException e) {
            // not a valid URI path (a space, a bad escape): match it as it is
        }
        p = p.replaceAll("/{2,}", "/");
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }
}
