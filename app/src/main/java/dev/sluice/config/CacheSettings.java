package dev.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The response cache of one alias: the {@code cache:} key of its {@code model_list} entries, or CACHE_TTL_S for
 * the implicit deployment.
 *
 * @param ttl how long an answer is served from the cache
 * @param backend where answers are kept; null means Redis when REDIS_URL is set, else memory
 * @param maxEntries the in-memory cache's size bound (least recently used answers go first); unused by Redis
 * @param shared whether callers with different keys share entries ({@code shared: true}); by default each key's
 *     entries are its own, so one tenant can neither get nor detect another's answers
 */
public record CacheSettings(Duration ttl, Backend backend, int maxEntries, boolean shared) {
    public static final int DEFAULT_MAX_ENTRIES = 10_000;

    /** Where answers are kept. */
    public enum Backend {
        MEMORY, REDIS
    }

    /** Entries scoped to each caller, as by default. */
    public CacheSettings(Duration ttl, Backend backend, int maxEntries) {
        this(ttl, backend, maxEntries, false);
    }

    public CacheSettings {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isZero() || ttl.isNegative() || maxEntries < 1) {
            throw new IllegalArgumentException("ttl " + ttl + ", max_entries " + maxEntries);
        }
    }
}
