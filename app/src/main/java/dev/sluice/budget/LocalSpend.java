package dev.sluice.budget;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Spend counted in this process, without Redis: exact for one gateway; replicas without Redis each count their own.
 * Counters past their time to live are dropped at most once a minute, when something is added.
 */
final class LocalSpend implements SpendStore {
    private static final long PURGE_EVERY_MILLIS = 60_000;

    private record Entry(Totals totals, long expiresAt) {}

    private record Index(Set<String> members, long expiresAt) {}

    private final LongSupplier clockMillis;
    private final Map<String, Entry> counters = new ConcurrentHashMap<>();
    private final Map<String, Index> windows = new ConcurrentHashMap<>();
    private volatile long nextPurge;

    LocalSpend(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    @Override
    public CompletableFuture<long[]> spent(List<String> names) {
        long[] out = new long[names.size()];
        for (int i = 0; i < out.length; i++) {
            Entry e = counters.get(names.get(i));
            out[i] = e == null ? 0 : e.totals().nanos();
        }
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public void add(List<Counter> list, Totals delta) {
        long now = clockMillis.getAsLong();
        for (Counter c : list) {
            long expires = now + c.ttl().toMillis();
            counters.merge(c.name(), new Entry(delta, expires),
                    (a, b) -> new Entry(a.totals().plus(b.totals()), Math.max(a.expiresAt(), b.expiresAt())));
            windows.compute(c.window(), (w, idx) -> {
                Index i = idx == null ? new Index(ConcurrentHashMap.newKeySet(), expires) : idx;
                i.members().add(c.member());
                return i.expiresAt() >= expires ? i : new Index(i.members(), expires);
            });
        }
        if (now >= nextPurge) {
            nextPurge = now + PURGE_EVERY_MILLIS;
            counters.values().removeIf(e -> e.expiresAt() <= now);
            windows.values().removeIf(i -> i.expiresAt() <= now);
        }
    }

    @Override
    public CompletableFuture<Map<String, Totals>> totals(List<String> names) {
        Map<String, Totals> out = new HashMap<>();
        for (String n : names) {
            Entry e = counters.get(n);
            if (e != null) {
                out.put(n, e.totals());
            }
        }
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public CompletableFuture<Set<String>> members(String window) {
        Index i = windows.get(window);
        return CompletableFuture.completedFuture(i == null ? Set.of() : Set.copyOf(i.members()));
    }

    @Override
    public boolean failClosed() {
        return false;
    }

    @Override
    public void close() {
        // nothing to release
    }
}
