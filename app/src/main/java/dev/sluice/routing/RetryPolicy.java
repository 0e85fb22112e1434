package dev.sluice.routing;

import dev.sluice.error.GatewayException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When and how soon to try again. Only failures before the first byte reached the client are retried,
 * and only retryable ones (connect errors, timeouts before the first byte, 429, 5xx); never a 4xx.
 *
 * @param retries extra attempts after the first, across the pool and its fallbacks
 * @param backoffBase first backoff; it doubles per retry, with full jitter
 * @param backoffMax cap of one backoff
 * @param retryAfterCap the longest Retry-After honoured; longer ones are not waited for
 */
public record RetryPolicy(int retries, Duration backoffBase, Duration backoffMax, Duration retryAfterCap) {

    public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    public boolean retryable(GatewayException e) {
        return e.retryable();
    }

    /**
     * Whether {@code e} asks for a longer wait ({@code Retry-After}) than this policy honours. The deployment
     * that said so is then not asked again by this request: the route moves on to another deployment or
     * fallback, or fails at once and passes the {@code Retry-After} on to the client.
     */
    public boolean waitsTooLong(GatewayException e) {
        String ra = e.headers().get("Retry-After");
        return ra != null && ra.matches("\\d{1,6}")
                && Duration.ofSeconds(Long.parseLong(ra)).compareTo(retryAfterCap) > 0;
    }

    /** Nanoseconds to wait before retry number {@code n} (1-based) after {@code e}. */
    public long delayNanos(int n, GatewayException e) {
        String ra = e.headers().get("Retry-After");
        if (ra != null && ra.matches("\\d{1,6}")) {
            long nanos = Duration.ofSeconds(Long.parseLong(ra)).toNanos();
            if (nanos <= retryAfterCap.toNanos()) {
                return nanos;
            }
        }
        long cap = Math.min(backoffMax.toNanos(), backoffBase.toNanos() << Math.min(n - 1, 20));
        return cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1);
    }
}
