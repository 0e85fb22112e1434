package dev.sluice.backend;

import java.util.concurrent.CompletableFuture;

/**
 * Cached backend reachability for /readyz and /health: probes run at most once per TTL (healthy answers are
 * kept longer than failures) and concurrent callers share the probe in flight, so a probe storm from an
 * orchestrator never becomes a storm on the runtime.
 */
public final class BackendHealth {
    private static final long OK_TTL_NANOS = 2_000_000_000L;
    private static final long FAIL_TTL_NANOS = 1_000_000_000L;

    private final Backend backend;
    private CompletableFuture<Boolean> inFlight;
    private boolean last;
    private long lastAt;
    private long lastLatencyNanos = -1;

    public BackendHealth(Backend backend) {
        this.backend = backend;
    }

    /** The last answer when fresh, else a new probe. */
    public synchronized CompletableFuture<Boolean> check() {
        long now = System.nanoTime();
        if (lastAt != 0 && now - lastAt < (last ? OK_TTL_NANOS : FAIL_TTL_NANOS)) {
            return CompletableFuture.completedFuture(last);
        }
        if (inFlight != null) {
            return inFlight;
        }
        long start = now;
        CompletableFuture<Boolean> f = backend.probe();
        inFlight = f;
        return f.whenComplete((ok, e) -> {
            synchronized (this) {
                last = ok != null && ok;
                lastAt = System.nanoTime();
                lastLatencyNanos = lastAt - start;
                inFlight = null;
            }
        });
    }

    public synchronized long lastLatencyMillis() {
        return lastLatencyNanos < 0 ? -1 : lastLatencyNanos / 1_000_000;
    }
}
