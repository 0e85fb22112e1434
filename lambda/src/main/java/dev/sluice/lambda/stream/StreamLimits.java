package dev.sluice.lambda.stream;

import dev.sluice.lambda.LambdaGateway;
import dev.sluice.ratelimit.TokenCap;
import java.time.Duration;
import java.util.function.Function;

/**
 * Caps that matter only in Lambda, where a client that goes away does not stop the function (reliability.md
 * G22): {@code LAMBDA_MAX_STREAM_S} ends a stream with an explicit error event (default: the invocation
 * deadline minus 2 s), and {@code LAMBDA_MAX_TOKENS} caps the tokens a request may ask for ({@link TokenCap}, the
 * rule the buffered handlers apply too; default {@link LambdaGateway#DEFAULT_MAX_TOKENS}).
 */
public record StreamLimits(Duration maxStream, TokenCap tokens) {
    static final Duration DEADLINE_MARGIN = Duration.ofSeconds(2);

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
        TokenCap tokens = TokenCap.fromVariable("LAMBDA_MAX_TOKENS", env.apply("LAMBDA_MAX_TOKENS"),
                LambdaGateway.DEFAULT_MAX_TOKENS);
        return new StreamLimits(stream, tokens);
    }

    /** The LAMBDA_MAX_TOKENS cap. */
    public long maxTokens() {
        return tokens.max();
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
