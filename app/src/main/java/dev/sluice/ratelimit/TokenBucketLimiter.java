package dev.sluice.ratelimit;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * In-process token buckets, one per caller (API key, or client IP when auth is off): {@code burst}
 * requests at once, refilled at {@code rpm} per minute. Exact within one process; across replicas each
 * process keeps its own buckets.
 */
public final class TokenBucketLimiter {
    private static final int MAX_BUCKETS = 100_000;

    private final double capacity;
    private final double perNano;
    private final int rpm;
    private final LongSupplier clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** The outcome of one check; {@code retryAfterSeconds} is 0 when allowed. */
    public record Decision(boolean allowed, long retryAfterSeconds, long remaining, long limit) {}

    public TokenBucketLimiter(int rpm, int burst) {
        this(rpm, burst, System::nanoTime);
    }

    public TokenBucketLimiter(int rpm, int burst, LongSupplier clock) {
        this.capacity = burst;
        this.perNano = rpm / 60e9;
        this.rpm = rpm;
        this.clock = clock;
    }

    public Decision tryAcquire(String caller) {
        long now = clock.getAsLong();
        if (buckets.size() >= MAX_BUCKETS) {
            evictFull(now);
        }
        Bucket b = buckets.computeIfAbsent(caller, k -> new Bucket(capacity, now));
        synchronized (b) {
            b.refill(now, capacity, perNano);
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return new Decision(true, 0, (long) Math.floor(b.tokens), rpm);
            }
            long wait = (long) Math.ceil((1 - b.tokens) / perNano / 1e9);
            return new Decision(false, Math.max(1, wait), 0, rpm);
        }
    }

    /** Drops buckets that have refilled completely: forgetting them changes no decision. */
    private void evictFull(long now) {
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket b = it.next();
            synchronized (b) {
                b.refill(now, capacity, perNano);
                if (b.tokens >= capacity) {
                    it.remove();
                }
            }
        }
    }

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        void refill(long now, double capacity, double perNano) {
            if (now > last) {
                tokens = Math.min(capacity, tokens + (now - last) * perNano);
                last = now;
            }
        }
    }
}
