package dev.sluice.lambda.stream;

import java.time.Duration;
import java.util.function.Function;

/**
 * Caps that matter only in Lambda, where a client that goes away does not stop the function (reliability.md
 * G22): {@code LAMBDA_MAX_STREAM_S} ends a stream with an explicit error event (default: the invocation
 * deadline minus 2 s), and {@code LAMBDA_MAX_TOKENS} caps max_tokens / max_completion_tokens (default 4096).
 */
public record StreamLimits(Duration maxStream, int maxTokens) {
    static final Duration DEADLINE_MARGIN = Duration.ofSeconds(2);
    static final int DEFAULT_MAX_TOKENS = 4096;

    /** Reads the two variables; a bad value is an init error. {@code maxStream} is null when unset. */
    public static StreamLimits from(Function<String, String> env) {
        String s = env.apply("LAMBDA_MAX_STREAM_S");
        Duration stream = null;
        if (s != null && !s.isBlank()) {
            double v;
            try {
                v = Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (!(v > 0) || v > 900) {
                throw new IllegalArgumentException("LAMBDA_MAX_STREAM_S=" + s + " must be seconds in (0, 900]");
            }
            stream = Duration.ofMillis(Math.round(v * 1000));
        }
        String t = env.apply("LAMBDA_MAX_TOKENS");
        int tokens = DEFAULT_MAX_TOKENS;
        if (t != null && !t.isBlank()) {
            try {
                tokens = Integer.parseInt(t.trim());
            } catch (NumberFormatException e) {
                tokens = 0;
            }
            if (tokens < 1) {
                throw new IllegalArgumentException("LAMBDA_MAX_TOKENS=" + t + " must be a positive integer");
            }
        }
        return new StreamLimits(stream, tokens);
    }

    /** How long this invocation may stream: the configured cap, never past the deadline minus the margin. */
    public Duration streamBudget(long deadlineMs, long nowMs) {
        Duration left = Duration.ofMillis(Math.max(0, deadlineMs - nowMs)).minus(DEADLINE_MARGIN);
        if (left.isNegative()) {
            left = Duration.ZERO;
        }
        return maxStream == null || maxStream.compareTo(left) > 0 ? left : maxStream;
    }
}
