package dev.sluice.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sluice.ratelimit.TokenBucketLimiter;
import java.time.Duration;

/**
 * Failed keys per client address (AUTH_FAILURES_PER_MINUTE): a bucket of that many failures, refilled over a minute.
 * An address that has used it up is refused (429) for the bucket's Retry-After, before its key is even looked at, so
 * guessing keys from one address runs at the throttle's pace. Authentication runs before the request limiter, which
 * therefore never saw failed keys (issue 13 item 8).
 */
final class AuthThrottle {
    private final TokenBucketLimiter failures;
    private final Cache<String, Long> blockedUntil = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofMinutes(2)).build();

    /** @param perMinute failures allowed per address per minute; 0 turns the throttle off */
    AuthThrottle(int perMinute) {
        this.failures = perMinute > 0 ? new TokenBucketLimiter(perMinute, perMinute) : null;
    }

    /** Seconds this address must still wait before presenting a key again; 0 when it may. */
    long blockedSeconds(String address) {
        Long until = failures == null ? null : blockedUntil.getIfPresent(address);
        long left = until == null ? 0 : until - System.nanoTime();
        return left <= 0 ? 0 : Math.max(1, Math.ceilDiv(left, 1_000_000_000L));
    }

    /** Counts a failed key; returns the seconds the address is now refused for, or 0 while it has failures left. */
    long failed(String address) {
        if (failures == null) {
            return 0;
        }
        TokenBucketLimiter.Decision d = failures.tryAcquire(address);
        if (d.allowed()) {
            return 0;
        }
        blockedUntil.put(address, System.nanoTime() + d.retryAfterSeconds() * 1_000_000_000L);
        return d.retryAfterSeconds();
    }
}
