package dev.sluice.cache;

import java.util.concurrent.CompletableFuture;

/** Where one alias's answers are kept. Lookups never fail: a store that cannot answer reports a miss. */
public interface CacheStore {
    /** The answer stored under {@code key}, or null. */
    CompletableFuture<CachedAnswer> get(String key);

    void put(String key, CachedAnswer answer);
}
