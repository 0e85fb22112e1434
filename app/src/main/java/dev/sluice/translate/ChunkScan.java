package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.protocol.Json;
import java.util.function.Consumer;

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

    /**
     * The first string value of the key, or null when the key has none; the one allocation is the value itself. For
     * short values such as a model name or a finish reason, read from a chunk that is forwarded unparsed.
     */
    static String string(String json, String quotedKey) {
        int i = valueAt(json, quotedKey, '"', false, 0);
        return i < 0 ? null : stringAt(json, i);
    }

    /** Every string value of the key, in order: a chunk with several choices carries a finish reason for each. */
    static void strings(String json, String quotedKey, Consumer<String> each) {
        int i = valueAt(json, quotedKey, '"', false, 0);
        while (i >= 0) {
            String v = stringAt(json, i);
            if (v == null) {
                return;
            }
            each.accept(v);
            i = valueAt(json, quotedKey, '"', false, i + 1);
        }
    }

    /** The string whose opening quote is at {@code open}, or null when it does not close. */
    private static String stringAt(String json, int open) {
        boolean escaped = false;
        for (int j = open + 1; j < json.length(); j++) {
            char c = json.charAt(j);
            if (c == '\\') {
                escaped = true;
                j++;
            } else if (c == '"') {
                if (!escaped) {
                    return json.substring(open + 1, j);
                }
                // rare in a model name ("\/"): the JSON parser undoes the escapes
                JsonNode n = Json.tryParse(json.substring(open, j + 1));
                return n == null ? null : n.asText();
            }
        }
        return null;
    }

    private static boolean valueStart(String json, String quoted, char opening, boolean nonEmpty) {
        return valueAt(json, quoted, opening, nonEmpty, 0) >= 0;
    }

    /** Where the value of the first occurrence of the key from {@code from} opens with {@code opening}, or -1. */
    private static int valueAt(String json, String quoted, char opening, boolean nonEmpty, int from) {
        while (true) {
            int k = json.indexOf(quoted, from);
            if (k < 0) {
                return -1;
            }
            int i = k + quoted.length();
            while (i < json.length() && isSpaceOrColon(json.charAt(i))) {
                i++;
            }
            if (i < json.length() && json.charAt(i) == opening) {
                if (!nonEmpty || (i + 1 < json.length() && json.charAt(i + 1) != '"')) {
                    return i;
                }
            }
            from = i;
        }
    }

    private static boolean isSpaceOrColon(char c) {
        return c == ' ' || c == ':' || c == '\t' || c == '\n' || c == '\r';
    }
}
