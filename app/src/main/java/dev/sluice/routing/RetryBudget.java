package dev.sluice.routing;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps retries so a failing backend is not hammered: retries in flight may be at most {@code ratio} of the
 * requests in flight, but at least {@code minConcurrent} (Envoy's retry budget: 20 %, 3).
 */
public final class RetryBudget {
    private final double ratio;
    private final int minConcurrent;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger retrying = new AtomicInteger();

    public RetryBudget(double ratio, int minConcurrent) {
        this.ratio = ratio;
        this.minConcurrent = minConcurrent;
    }

    void requestStarted() {
        active.incrementAndGet();
    }

    void requestFinished() {
        active.decrementAndGet();
    }

    /** Takes a retry from the budget; false when the budget is spent. Give it back with {@link #retryDone}. */
    boolean tryRetry() {
        while (true) {
            int r = retrying.get();
            int allowed = Math.max(minConcurrent, (int) (active.get() * ratio));
            if (r >= allowed) {
                return false;
            }
            if (retrying.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    void retryDone() {
        retrying.decrementAndGet();
    }
}
