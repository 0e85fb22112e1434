package dev.sluice.ratelimit;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Token buckets checked and charged together, by {@link Gcra}: a decision admits a request only when every bucket
 * it names has room for its cost, and then charges all of them, as one atomic step. Implemented in process
 * ({@link LocalBuckets}) and in Redis with one Lua script ({@link RedisBuckets}); both run the same integer
 * arithmetic, so a limit and its burst mean the same with Redis and without.
 */
public interface Buckets {
    /**
     * One bucket: its name (e.g. {@code key:team-a:tpm}), its refill per minute, how much it holds when full
     * (the burst) and what this request costs, in requests or tokens.
     */
    record Check(String bucket, long perMinute, long burst, long cost) {}

    /**
     * @param allowed whether the request was admitted (and every bucket charged)
     * @param denied the index of the first bucket without room; -1 when allowed
     * @param levels each bucket's level after the decision, in {@link Gcra} units
     * @param nowMillis the time the decision was taken at (Redis' clock for {@link RedisBuckets})
     */
    record Outcome(boolean allowed, int denied, long[] levels, long nowMillis) {}

    CompletableFuture<Outcome> acquire(List<Check> checks);

    /** Adds {@code delta} (negative to give back) requests or tokens to a bucket, never below empty. */
    CompletableFuture<Void> adjust(String bucket, long perMinute, long delta);
}
