package dev.sluice.ratelimit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/** {@link WindowLimits} on local state: the same windows and rule as the Redis script, one lock per decision. */
public final class LocalWindowLimits implements WindowLimits {
    private final LongSupplier clockMillis;
    private final Map<String, long[]> counters = new HashMap<>(); // counter -> {window, used}

    public LocalWindowLimits() {
        this(System::currentTimeMillis);
    }

    public LocalWindowLimits(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    @Override
    public CompletableFuture<Outcome> acquire(List<Check> checks, long windowMillis) {
        return CompletableFuture.completedFuture(decide(checks, windowMillis));
    }

    public synchronized Outcome decide(List<Check> checks, long windowMillis) {
        long now = clockMillis.getAsLong();
        long window = Math.floorDiv(now, windowMillis);
        long reset = (window + 1) * windowMillis - now;
        if (counters.size() > 100_000) {
            counters.values().removeIf(c -> c[0] < window);
        }
        long[] used = new long[checks.size()];
        int denied = -1;
        for (int i = 0; i < checks.size(); i++) {
            long[] c = counters.get(checks.get(i).counter());
            used[i] = c == null || c[0] != window ? 0 : c[1];
            if (denied < 0 && !WindowLimits.fits(used[i], checks.get(i).cost(), checks.get(i).limit())) {
                denied = i;
            }
        }
        long[] remaining = new long[checks.size()];
        for (int i = 0; i < checks.size(); i++) {
            Check ch = checks.get(i);
            long after = denied < 0 ? used[i] + ch.cost() : used[i];
            if (denied < 0) {
                counters.put(ch.counter(), new long[] {window, after});
            }
            remaining[i] = Math.max(0, ch.limit() - after);
        }
        return new Outcome(denied < 0, denied, reset, remaining, window);
    }

    @Override
    public synchronized CompletableFuture<Void> adjust(String counter, long window, long delta) {
        long[] c = counters.get(counter);
        if (c != null && c[0] == window) {
            c[1] = Math.max(0, c[1] + delta);
        }
        return CompletableFuture.completedFuture(null);
    }
}
