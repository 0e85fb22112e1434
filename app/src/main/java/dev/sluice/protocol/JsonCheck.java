package dev.sluice.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Whether a text is one well-formed JSON object (RFC 8259), decided by one loop over its bytes with no recursion
 * and no tree. A pass-through stream forwards most chunks untouched but must not forward one that is not JSON (it
 * would crash the client's SDK); a tokenising parse of every chunk was ~750 ns, most of a forwarded chunk's
 * own cost (docs/PERFORMANCE.md). Accepts exactly what the gateway's Jackson parser ({@link Json}) accepts for one
 * object with nothing after it, nesting limit included, which a property test checks on mutated chunks.
 */
public final class JsonCheck {
    private static final int MAX_DEPTH = Json.MAX_DEPTH;

    private JsonCheck() {}

    public static boolean isObject(String text) {
        if (text == null) {
            return false;
        }
        // a Latin-1 copy is an array copy; a character above U+00FF becomes '?', which is valid exactly where the
        // character was (inside a string) and invalid exactly where it was (anywhere else)
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        return isObject(b, 0, b.length);
    }

    /** The same check on bytes (UTF-8 or Latin-1: only ASCII decides). */
    public static boolean isObject(byte[] b, int from, int to) {
        int i = skip(b, from, to);
        if (i >= to || b[i] != '{') {
            return false;
        }
        long[] objects = new long[(MAX_DEPTH + 63) / 64]; // bit d: the container at depth d is an object
        int depth = 0;
        boolean expectValue = true;
        while (true) {
            if (expectValue) {
                i = skip(b, i, to);
                if (i >= to) {
                    return false;
                }
                switch (b[i]) {
                    case '{' -> {
                        if (depth == MAX_DEPTH) {
                            return false;
                        }
                        objects[depth >> 6] |= 1L << depth;
                        depth++;
                        i = skip(b, i + 1, to);
                        if (i < to && b[i] == '}') {
                            i++;
                            depth--;
                            expectValue = false;
                        } else if ((i = member(b, i, to)) < 0) {
                            return false;
                        }
                    }
                    case '[' -> {
                        if (depth == MAX_DEPTH) {
                            return false;
                        }
                        objects[depth >> 6] &= ~(1L << depth);
                        depth++;
                        i = skip(b, i + 1, to);
                        if (i < to && b[i] == ']') {
                            i++;
                            depth--;
                            expectValue = false;
                        }
                    }
                    case '"' -> {
                        if ((i = string(b, i, to)) < 0) {
                            return false;
                        }
                        expectValue = false;
                    }
                    case 't', 'f', 'n' -> {
                        if ((i = literal(b, i, to, b[i] == 't' ? TRUE : b[i] == 'f' ? FALSE : NULL)) < 0) {
                            return false;
                        }
                        expectValue = false;
                    }
                    default -> {
                        if ((i = number(b, i, to)) < 0) {
                            return false;
                        }
                        expectValue = false;
                    }
                }
                continue;
            }
            i = skip(b, i, to);
            if (depth == 0) {
                return i == to;
            }
            if (i >= to) {
                return false;
            }
            boolean inObject = (objects[(depth - 1) >> 6] & (1L << (depth - 1))) != 0;
            byte c = b[i];
            if (c == ',') {
                i = skip(b, i + 1, to);
                if (inObject && (i = member(b, i, to)) < 0) {
                    return false;
                }
                expectValue = true;
            } else if (c == (inObject ? '}' : ']')) {
                i++;
                depth--;
            } else {
                return false;
            }
        }
    }

    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    /** A member's name and colon, from its opening quote; the index after the colon, or -1. */
    private static int member(byte[] b, int i, int to) {
        if (i >= to || b[i] != '"' || (i = string(b, i, to)) < 0) {
            return -1;
        }
        i = skip(b, i, to);
        return i < to && b[i] == ':' ? i + 1 : -1;
    }

    /** A string from its opening quote; the index after the closing one, or -1. */
    private static int string(byte[] b, int i, int to) {
        i++;
        while (i < to) {
            int c = b[i++] & 0xFF;
            if (c == '"') {
                return i;
            }
            if (c < 0x20) {
                return -1; // raw control characters must be escaped
            }
            if (c == '\\') {
                if (i >= to) {
                    return -1;
                }
                switch (b[i++]) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> { }
                    case 'u' -> {
                        if (i + 4 > to) {
                            return -1;
                        }
                        for (int k = 0; k < 4; k++) {
                            if (Character.digit(b[i++], 16) < 0) {
                                return -1;
                            }
                        }
                    }
                    default -> {
                        return -1;
                    }
                }
            }
        }
        return -1;
    }

    private static int number(byte[] b, int i, int to) {
        if (i < to && b[i] == '-') {
            i++;
        }
        if (i < to && b[i] == '0') {
            i++;
        } else {
            int start = i;
            i = digits(b, i, to);
            if (i == start) {
                return -1;
            }
        }
        if (i < to && b[i] == '.') {
            int start = ++i;
            i = digits(b, i, to);
            if (i == start) {
                return -1;
            }
        }
        if (i < to && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < to && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int start = i;
            i = digits(b, i, to);
            if (i == start) {
                return -1;
            }
        }
        return i;
    }

    private static int digits(byte[] b, int i, int to) {
        while (i < to && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        return i;
    }

    private static int literal(byte[] b, int i, int to, byte[] word) {
        if (i + word.length > to) {
            return -1;
        }
        for (byte w : word) {
            if (b[i++] != w) {
                return -1;
            }
        }
        return i;
    }

    private static int skip(byte[] b, int i, int to) {
        while (i < to && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
            i++;
        }
        return i;
    }
}
