package dev.sluice.routing;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps retries so a failing backend is not hammered, in two ways at once (Envoy's and Finagle's budgets):
 * retries in flight may be at most {@code ratio} of the requests in flight, but at least
 * {@code minConcurrent}; and over time each request deposits {@code ratio} of a retry while a reserve of
 * {@code minConcurrent} retries per second keeps failover working at low traffic. So retries add at most
 * about {@code ratio} (20 %) to the load whatever fails, and a first failure after a quiet spell is still
 * retried.
 */
public final class RetryBudget {
    private final double ratio;
    private final int minConcurrent;
    private final double capacity;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger retrying = new AtomicInteger();
    private double balance;
    private long lastRefill = System.nanoTime();

    public RetryBudget(double ratio, int minConcurrent) {
        this.ratio = ratio;
        this.minConcurrent = minConcurrent;
        this.capacity = minConcurrent + 100 * ratio;
        this.balance = minConcurrent;
    }

    void requestStarted() {
        active.incrementAndGet();
        synchronized (this) {
            balance = Math.min(capacity, balance + ratio);
        }
    }

    void requestFinished() {
        active.decrementAndGet();
    }

    /** Takes a retry from the budget; false when the budget is spent. Give it back with {@link #retryDone}. */
    boolean tryRetry() {
        synchronized (this) {
            long now = System.nanoTime();
            balance = Math.min(capacity, balance + (now - lastRefill) / 1e9 * minConcurrent);
            lastRefill = now;
            if (balance < 1) {
                return false;
            }
            int allowed = Math.max(minConcurrent, (int) (active.get() * ratio));
            if (retrying.get() >= allowed) {
                return false;
            }
            balance -= 1;
            retrying.incrementAndGet();
            return true;
        }
    }

    void retryDone() {
        retrying.decrementAndGet();
    }
}
