package dev.sluice.ratelimit;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Fixed-window counters checked and charged together: a decision admits a request only when every counter it
 * names has room for its cost, and then charges all of them, as one atomic step. Implemented in process
 * ({@link LocalWindowLimits}) and in Redis with one Lua script ({@link RedisWindowLimits}).
 */
public interface WindowLimits {
    /** One counter: its name (e.g. {@code k:team-a:tpm}), its limit per window and what this request costs. */
    record Check(String counter, long limit, long cost) {}

    /**
     * @param allowed whether the request was admitted (and every counter charged)
     * @param denied the index of the first counter without room; -1 when allowed
     * @param resetMillis time until the current window ends
     * @param remaining each counter's room after the decision
     * @param window the window the charge went to; settlements name it
     */
    record Outcome(boolean allowed, int denied, long resetMillis, long[] remaining, long window) {}

    CompletableFuture<Outcome> acquire(List<Check> checks, long windowMillis);

    /** Adds {@code delta} (negative to give back) to a counter in {@code window}, if that window still exists. */
    CompletableFuture<Void> adjust(String counter, long window, long delta);

    /**
     * The rule both implementations share: room when the counter is empty (one request larger than the whole
     * limit is admitted once per window rather than never) or when used + cost stays within the limit.
     */
    static boolean fits(long used, long cost, long limit) {
        return used <= 0 || used + cost <= limit;
    }
}
