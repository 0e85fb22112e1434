package dev.sluice.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * In process (Caffeine), one alias's view of a byte budget that all in-memory caches share (CACHE_MAX_MB), so the
 * heap they take is bounded however many aliases have a cache and however large their answers are (issue 13: the
 * bound used to be a count of entries, each of any size). Least recently used answers go first; each expires
 * {@code ttl} after it was stored.
 */
public final class MemoryStore implements CacheStore {
    private final Budget budget;
    private final String alias;
    private final long ttlNanos;
    private final long minWeight;

    /**
     * @param maxEntries the alias's {@code max_entries}: each of its answers counts at least {@code 1/maxEntries}
     *     of the budget, so it never holds more than that many
     */
    public MemoryStore(Budget budget, String alias, Duration ttl, int maxEntries) {
        this.budget = budget;
        this.alias = alias;
        this.ttlNanos = ttl.toNanos();
        this.minWeight = Math.max(1, budget.bytes / maxEntries);
    }

    /** One alias with a budget of its own, for tests and single-alias use. */
    public MemoryStore(Duration ttl, int maxEntries, long bytes) {
        this(new Budget(bytes), "", ttl, maxEntries);
    }

    @Override
    public CompletableFuture<CachedAnswer> get(String key) {
        Held h = budget.cache.getIfPresent(alias + "\n" + key);
        return CompletableFuture.completedFuture(h == null ? null : h.answer());
    }

    @Override
    public void put(String key, CachedAnswer answer) {
        long weight = Math.max(minWeight, answer.size());
        if (weight > budget.bytes) {
            return;
        }
        budget.cache.put(alias + "\n" + key, new Held(answer, ttlNanos, (int) Math.min(Integer.MAX_VALUE, weight)));
    }

    /** Bytes the stored answers take now, as the budget counts them. */
    public long weight() {
        return budget.weight();
    }

    private record Held(CachedAnswer answer, long ttlNanos, int weight) {}

    /** The bytes every in-memory cache of this gateway shares. */
    public static final class Budget {
        private final long bytes;
        private final Cache<String, Held> cache;

        public Budget(long bytes) {
            this.bytes = bytes;
            this.cache = Caffeine.newBuilder()
                    .maximumWeight(bytes)
                    .weigher((String k, Held h) -> h.weight())
                    .expireAfter(new Expiry<String, Held>() {
                        @Override
                        public long expireAfterCreate(String k, Held h, long now) {
                            return h.ttlNanos();
                        }

                        @Override
                        public long expireAfterUpdate(String k, Held h, long now, long current) {
                            return h.ttlNanos();
                        }

                        @Override
                        public long expireAfterRead(String k, Held h, long now, long current) {
                            return current;
                        }
                    })
                    // evict on the caller's thread: a put that overflows the budget is undone before it returns
                    .executor(Runnable::run)
                    .build();
        }

        public long bytes() {
            return bytes;
        }

        long weight() {
            cache.cleanUp();
            return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
        }
    }
}
