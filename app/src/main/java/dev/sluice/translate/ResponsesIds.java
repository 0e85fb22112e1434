package dev.sluice.translate;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Where Responses ids come from ({@code resp_}, {@code msg_}, {@code rs_}, {@code fc_}, {@code ctc_},
 * {@code call_}). Injected so translators stay pure and transcripts stay reproducible.
 */
@FunctionalInterface
public interface ResponsesIds {

    /** A fresh id: {@code prefix + "_" + suffix}, unique for the life of the gateway. */
    String next(String prefix);

    /** Prefix plus 32 random hex characters (responses-api.md §3 recommends at least 24). */
    static ResponsesIds random() {
        SecureRandom random = new SecureRandom();
        return prefix -> {
            byte[] b = new byte[16];
            random.nextBytes(b);
            return prefix + "_" + HexFormat.of().formatHex(b);
        };
    }

    /** {@code prefix_<seed><n>} with n = 1, 2, 3…: deterministic, for tests. Not thread-safe. */
    static ResponsesIds sequential(String seed) {
        int[] n = {0};
        return prefix -> prefix + "_" + seed + String.format("%04d", ++n[0]);
    }
}
