package dev.sluice.ratelimit;

/**
 * The generic cell rate algorithm in its continuous-state leaky bucket form (ITU-T I.371), the arithmetic that
 * {@link LocalBuckets} and the Lua script of {@link RedisBuckets} share, step for step.
 *
 * <p>A bucket holds a level in units: one request (or token) is {@link #UNITS} units, and every millisecond drains
 * {@code perMinute} units, so a bucket refills at exactly its limit per minute with integer arithmetic only
 * (floating-point credit drifts; see TokenBucketLimiter). A request fits when the bucket is empty or its charge
 * keeps the level within the burst. The empty-bucket rule admits one request larger than the whole burst rather
 * than never (a long prompt against a small token limit), and then that request's debt drains before the next.
 *
 * <p>Every value stays below 2^52, so the Lua side, whose numbers are doubles, computes the same integers.
 */
public final class Gcra {
    /** Units per request or token: one minute in milliseconds, so {@code perMinute} units drain per millisecond. */
    public static final long UNITS = 60_000;
    /** The largest level: 2^51 units, far above any real limit, exact as a double with room to add a charge. */
    static final long MAX_UNITS = 1L << 51;
    /** The largest count (requests or tokens) a burst or a cost may have before it is clamped. */
    static final long MAX_COUNT = MAX_UNITS / UNITS;

    private Gcra() {}

    /** A count in units, clamped to [0, {@link #MAX_UNITS}]. */
    public static long units(long count) {
        return Math.max(0, Math.min(count, MAX_COUNT)) * UNITS;
    }

    /** A refill rate clamped to [1, 2^31]: elapsed × rate is only computed while it stays below the level. */
    static long rate(long perMinute) {
        return Math.max(1, Math.min(perMinute, 1L << 31));
    }

    /** The level at {@code now} of a bucket that held {@code level} at {@code last}. */
    public static long drained(long level, long last, long now, long perMinute) {
        if (level <= 0) {
            return 0;
        }
        long elapsed = Math.max(0, now - last);
        // elapsed × rate ≥ level, asked without multiplying: a long idle gap times the rate would overflow
        return elapsed >= Math.ceilDiv(level, perMinute) ? 0 : level - elapsed * perMinute;
    }

    /** Whether a charge fits a bucket at {@code level} with room for {@code capacity} units. */
    public static boolean fits(long level, long charge, long capacity) {
        return level <= 0 || level + charge <= capacity;
    }

    /** How long until a charge refused at {@code level} would fit. */
    public static long waitMillis(long level, long charge, long capacity, long perMinute) {
        long over = charge > capacity ? level : level + charge - capacity;
        return Math.max(0, Math.ceilDiv(over, perMinute));
    }

    /** How long until the bucket is full again (empty of charges). */
    public static long fullInMillis(long level, long perMinute) {
        return Math.ceilDiv(Math.max(0, level), perMinute);
    }

    /** Whole requests or tokens still free at {@code level}. */
    public static long remaining(long level, long capacity) {
        return Math.max(0, capacity - level) / UNITS;
    }
}
