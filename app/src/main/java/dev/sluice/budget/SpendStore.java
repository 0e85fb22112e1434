package dev.sluice.budget;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Where spend is counted: in process ({@link LocalSpend}) or in Redis ({@link RedisSpend}), where every replica adds
 * to the same integers. A counter is named {@code <scope>:<name>:<window>} ({@code key:team-a:d:2026-12-07}) and its
 * window keeps an index of the names that spent in it ({@code key:team-a}), which the usage report lists.
 */
interface SpendStore extends AutoCloseable {
    /**
     * One counter to add to.
     *
     * @param member {@code <scope>:<name>}, added to the window's index
     * @param window the window's id ({@code d:2026-12-07})
     * @param ttl how long the counter and the index are kept from now: until a day after the window ends
     */
    record Counter(String member, String window, Duration ttl) {
        String name() {
            return member + ":" + window;
        }
    }

    /** The nano-dollars spent so far on each counter (0 for one never added to). */
    CompletableFuture<long[]> spent(List<String> counters);

    /** Adds {@code delta} to every counter; never fails the caller (a store that cannot take it keeps it for later). */
    void add(List<Counter> counters, Totals delta);

    /** Everything counted on each counter that exists. */
    CompletableFuture<Map<String, Totals>> totals(List<String> counters);

    /** The members that spent in a window. */
    CompletableFuture<Set<String>> members(String window);

    /** Whether a failed read should be refused (REDIS_FAILURE_MODE=closed) rather than admitted. */
    boolean failClosed();

    @Override
    void close();
}
