package dev.sluice.ratelimit;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * In-process token buckets, one per caller (API key, or client IP when auth is off): {@code burst}
 * requests at once, refilled at {@code rpm} per minute. Exact within one process; across replicas each
 * process keeps its own buckets.
 *
 * <p>Credit is kept in integer units: every nanosecond adds {@code rpm} units and a request costs
 * {@link #UNITS_PER_TOKEN} (one minute in nanoseconds). With floating-point tokens, refills that add up to
 * exactly one token (ten 100 ms refills at 60 rpm) came to 0.9999999999999999 and a steady caller was
 * admitted about 10% less often than the configured rate.
 */
public final class TokenBucketLimiter {
    private static final int MAX_BUCKETS = 100_000;
    private static final long UNITS_PER_TOKEN = 60_000_000_000L;

    private final long capacity;
    private final int rpm;
    private final LongSupplier clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** The outcome of one check; {@code retryAfterSeconds} is 0 when allowed. */
    public record Decision(boolean allowed, long retryAfterSeconds, long remaining, long limit) {}

    public TokenBucketLimiter(int rpm, int burst) {
        this(rpm, burst, System::nanoTime);
    }

    public TokenBucketLimiter(int rpm, int burst, LongSupplier clock) {
        if (rpm < 1 || burst < 1) {
            throw new IllegalArgumentException("rpm: " + rpm + ", burst: " + burst + " (expected: both >= 1)");
        }
        this.capacity = Math.multiplyExact(burst, UNITS_PER_TOKEN); // ConfigLoader caps burst at 10^7
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
            b.refill(now, capacity, rpm);
            if (b.units >= UNITS_PER_TOKEN) {
                b.units -= UNITS_PER_TOKEN;
                return new Decision(true, 0, b.units / UNITS_PER_TOKEN, rpm);
            }
            long waitNanos = Math.ceilDiv(UNITS_PER_TOKEN - b.units, rpm);
            return new Decision(false, Math.max(1, Math.ceilDiv(waitNanos, 1_000_000_000L)), 0, rpm);
        }
    }

    /** Drops buckets that have refilled completely: forgetting them changes no decision. */
    private void evictFull(long now) {
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket b = it.next();
            synchronized (b) {
                b.refill(now, capacity, rpm);
                if (b.units >= capacity) {
                    it.remove();
                }
            }
        }
    }

    private static final class Bucket {
        long units;
        long last;

        Bucket(long units, long now) {
            this.units = units;
            this.last = now;
        }

        void refill(long now, long capacity, int rpm) {
            if (now > last) {
                long elapsed = now - last;
                long room = capacity - units;
                // compare before multiplying: a long idle gap times rpm would overflow
                units = elapsed > room / rpm ? capacity : units + elapsed * rpm;
                last = now;
            }
        }
    }
}
