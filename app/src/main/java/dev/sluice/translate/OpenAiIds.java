package dev.sluice.translate;

import java.security.SecureRandom;

/** Tool-call ids as OpenAI clients expect them ({@code call_...}), for runtimes whose own ids repeat. */
public final class OpenAiIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private OpenAiIds() {}

    /** A random per-response seed, so minted ids differ from one turn of a conversation to the next. */
    public static String seed() {
        return Long.toHexString(RANDOM.nextLong()) + Long.toHexString(RANDOM.nextLong());
    }

    /**
     * A {@code call_} id for the call at {@code index} of one response: the same for every fragment of that call,
     * different in every response (TGI sends {@code "0"} for every call of every turn).
     */
    public static String callId(String seed, int index, String upstreamId) {
        return "call_" + AnthropicIds.base62(AnthropicIds.sha256(seed + "|" + index + "|"
                + (upstreamId == null ? "" : upstreamId))).substring(0, 24);
    }
}
