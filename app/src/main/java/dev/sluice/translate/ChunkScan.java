package dev.sluice.translate;

/**
 * Allocation-free scans of a JSON chunk's text. They can be fooled by a key name inside a string value;
 * they only feed metrics and the "did the stream finish" check, never what the client receives.
 */
final class ChunkScan {
    private ChunkScan() {}

    /** The key occurs with a string value (not null). */
    static boolean hasString(String json, String key) {
        return valueStart(json, key, false);
    }

    /** The key occurs with a non-empty string value. */
    static boolean hasNonEmptyString(String json, String key) {
        return valueStart(json, key, true);
    }

    private static boolean valueStart(String json, String key, boolean nonEmpty) {
        String quoted = "\"" + key + "\"";
        int from = 0;
        while (true) {
            int k = json.indexOf(quoted, from);
            if (k < 0) {
                return false;
            }
            int i = k + quoted.length();
            while (i < json.length() && (json.charAt(i) == ' ' || json.charAt(i) == ':')) {
                i++;
            }
            if (i < json.length() && json.charAt(i) == '"') {
                if (!nonEmpty || (i + 1 < json.length() && json.charAt(i + 1) != '"')) {
                    return true;
                }
            }
            from = i;
        }
    }
}
