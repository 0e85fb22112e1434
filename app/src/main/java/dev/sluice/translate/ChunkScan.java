package dev.sluice.translate;

/**
 * Allocation-free scans of a JSON chunk's text, so that most chunks are forwarded without a parse. Keys are given
 * with their quotes ({@link #key}), built once. A key name inside a string value cannot match (its quotes are
 * escaped there), but a string value equal to a key name can: the scans may say yes where a parse would say no,
 * never the other way round, so a yes only ever costs a parse.
 */
final class ChunkScan {
    private ChunkScan() {}

    /** A key as it appears in JSON text, quotes included. */
    static String key(String name) {
        return "\"" + name + "\"";
    }

    /** The key occurs with a string value (not null). */
    static boolean hasString(String json, String quotedKey) {
        return valueStart(json, quotedKey, '"', false);
    }

    /** The key occurs with a non-empty string value. */
    static boolean hasNonEmptyString(String json, String quotedKey) {
        return valueStart(json, quotedKey, '"', true);
    }

    /**
     * The key occurs with an object value. vLLM and SGLang send {@code "usage":null} in every chunk: only the
     * chunk whose usage is an object needs a parse.
     */
    static boolean hasObject(String json, String quotedKey) {
        return valueStart(json, quotedKey, '{', false);
    }

    private static boolean valueStart(String json, String quoted, char opening, boolean nonEmpty) {
        int from = 0;
        while (true) {
            int k = json.indexOf(quoted, from);
            if (k < 0) {
                return false;
            }
            int i = k + quoted.length();
            while (i < json.length() && isSpaceOrColon(json.charAt(i))) {
                i++;
            }
            if (i < json.length() && json.charAt(i) == opening) {
                if (!nonEmpty || (i + 1 < json.length() && json.charAt(i + 1) != '"')) {
                    return true;
                }
            }
            from = i;
        }
    }

    private static boolean isSpaceOrColon(char c) {
        return c == ' ' || c == ':' || c == '\t' || c == '\n' || c == '\r';
    }
}
