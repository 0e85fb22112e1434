package dev.sluice.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** In process (Caffeine): bounded by entry count, each answer expiring {@code ttl} after it was stored. */
public final class MemoryStore implements CacheStore {
    private final Cache<String, CachedAnswer> cache;

    public MemoryStore(Duration ttl, int maxEntries) {
        this.cache = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl).build();
    }

    @Override
    public CompletableFuture<CachedAnswer> get(String key) {
        return CompletableFuture.completedFuture(cache.getIfPresent(key));
    }

    @Override
    public void put(String key, CachedAnswer answer) {
        cache.put(key, answer);
    }
}
