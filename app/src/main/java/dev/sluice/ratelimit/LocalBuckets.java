package dev.sluice.ratelimit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/** {@link Buckets} on local state: the same {@link Gcra} steps as the Redis script, one lock per decision. */
public final class LocalBuckets implements Buckets {
    private static final int MAX_BUCKETS = 100_000;

    private final LongSupplier clockMillis;
    private final Map<String, long[]> buckets = new HashMap<>(); // bucket -> {level, last}

    public LocalBuckets(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    @Override
    public CompletableFuture<Outcome> acquire(List<Check> checks) {
        return CompletableFuture.completedFuture(decide(checks, false));
    }

    /**
     * One decision. {@code force}: charge every bucket whatever its level, into debt of up to one more burst: how a
     * replica records what Redis admitted in its fallback share, so that the share only holds what the replica has
     * not used. Without the debt, a replica whose Redis decisions sometimes run late admitted its share's refill
     * twice, once through Redis and once through the share (+11 % measured at 300/min); with unbounded debt, a
     * replica that had more than its share through Redis would admit nothing for long after Redis went away.
     */
    public synchronized Outcome decide(List<Check> checks, boolean force) {
        long now = clockMillis.getAsLong();
        if (buckets.size() > MAX_BUCKETS) {
            buckets.entrySet().removeIf(e -> e.getValue()[0] <= 0 || e.getValue()[1] + 3_600_000 < now);
        }
        long[] levels = new long[checks.size()];
        int denied = -1;
        for (int i = 0; i < checks.size(); i++) {
            Check c = checks.get(i);
            long[] s = buckets.get(c.bucket());
            levels[i] = s == null ? 0 : Gcra.drained(s[0], s[1], now, Gcra.rate(c.perMinute()));
            if (denied < 0 && !force && !Gcra.fits(levels[i], Gcra.units(c.cost()), Gcra.units(c.burst()))) {
                denied = i;
            }
        }
        if (denied < 0) {
            for (int i = 0; i < checks.size(); i++) {
                Check c = checks.get(i);
                long after = levels[i] + Gcra.units(c.cost());
                long ceiling = Math.min(Gcra.MAX_UNITS, 2 * Gcra.units(c.burst()));
                levels[i] = force ? Math.min(after, Math.max(levels[i], ceiling)) : after;
                buckets.put(c.bucket(), new long[] {levels[i], now});
            }
        }
        return new Outcome(denied < 0, denied, levels, now);
    }

    @Override
    public synchronized CompletableFuture<Void> adjust(String bucket, long perMinute, long delta) {
        long[] s = buckets.get(bucket);
        if (s != null) {
            long now = clockMillis.getAsLong();
            long level = Gcra.drained(s[0], s[1], now, Gcra.rate(perMinute));
            long units = Gcra.units(Math.abs(delta));
            s[0] = delta < 0 ? Math.max(0, level - units) : Math.min(Gcra.MAX_UNITS, level + units);
            s[1] = now;
        }
        return CompletableFuture.completedFuture(null);
    }
}
