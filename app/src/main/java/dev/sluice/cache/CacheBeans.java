package dev.sluice.cache;

import dev.sluice.config.CacheSettings;
import dev.sluice.config.ConfigException;
import dev.sluice.config.FileConfig;
import dev.sluice.config.GatewayConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Wires the response cache: the config file's {@code cache:} keys, or with environment variables alone
 * CACHE_TTL_S (seconds, 0 = off) for the implicit deployment. REDIS_URL makes Redis the default backend.
 * CACHE_MAX_MB bounds every in-memory cache together, CACHE_MAX_ENTRY_KB each answer kept (docs/CACHE.md).
 */
@Factory
public class CacheBeans {
    /** How long a Redis lookup may take before it counts as a miss. */
    static final Duration REDIS_TIMEOUT = Duration.ofSeconds(1);

    @Singleton
    @Bean(preDestroy = "close")
    RedisStore.Connection cacheRedis(Environment env) {
        String url = env.getProperty("redis.url", String.class).filter(s -> !s.isBlank()).orElse(null);
        return new RedisStore.Connection(url, REDIS_TIMEOUT);
    }

    @Singleton
    ResponseCache responseCache(Environment env, GatewayConfig config, FileConfig file, MeterRegistry registry,
            RedisStore.Connection redis) {
        boolean envOnly = file.equals(FileConfig.fromEnv(config));
        Map<String, CacheSettings> settings = new LinkedHashMap<>(file.caches());
        if (envOnly) {
            Duration ttl = envTtl(env.getProperty("cache.ttl.s", String.class).orElse(null));
            if (ttl != null) {
                settings.put(file.deployments().get(0).alias(),
                        new CacheSettings(ttl, null, CacheSettings.DEFAULT_MAX_ENTRIES));
            }
        }
        // CACHE_MAX_MB: every in-memory cache together; 32 MiB is an eighth of the default 256 MiB heap
        MemoryStore.Budget budget = new MemoryStore.Budget(
                setting(env, "cache.max.mb", "CACHE_MAX_MB", 32, 1, 65_536) * 1024 * 1024);
        long maxEntry = setting(env, "cache.max.entry.kb", "CACHE_MAX_ENTRY_KB",
                ResponseCache.Limits.DEFAULT_MAX_ENTRY_BYTES / 1024, 1, 1024 * 1024) * 1024;
        Map<String, CacheStore> stores = new LinkedHashMap<>();
        Set<String> shared = new HashSet<>();
        settings.forEach((alias, s) -> {
            if (s.shared()) {
                shared.add(alias);
            }
            CacheSettings.Backend backend = s.backend() != null ? s.backend()
                    : redis.configured() ? CacheSettings.Backend.REDIS : CacheSettings.Backend.MEMORY;
            if (backend == CacheSettings.Backend.REDIS && !redis.configured()) {
                throw new ConfigException(List.of("the cache of '" + alias + "' uses backend redis, but REDIS_URL is"
                        + " not set (expected REDIS_URL=redis://host:6379, or backend: memory)"));
            }
            stores.put(alias, backend == CacheSettings.Backend.REDIS ? new RedisStore(redis, s.ttl())
                    : new MemoryStore(budget, alias, s.ttl(), s.maxEntries()));
        });
        return new ResponseCache(stores, shared, registry,
                new ResponseCache.Limits(maxEntry, config.keepAliveInterval(), config.requestTimeout()));
    }

    /** CACHE_TTL_S: whole seconds, 0 (the default) turns the cache off. */
    static Duration envTtl(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        long s;
        try {
            s = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            s = -1;
        }
        if (s < 0 || s > 30L * 24 * 3600) {
            throw new ConfigException(List.of("CACHE_TTL_S='" + value + "' is not valid (expected: whole seconds"
                    + " from 0 to 2592000; 0 turns the response cache off)"));
        }
        return s == 0 ? null : Duration.ofSeconds(s);
    }

    /**
     * Stored Responses API responses: in Redis when REDIS_URL is set (replicas share conversations), else in
     * memory, bounded by RESPONSES_STORE_MAX_MB (default 32, sized for the default 256 MiB heap) and kept
     * RESPONSES_STORE_TTL_S (default 86400). RESPONSES_STORE_TTL_S=0 keeps nothing: every request then behaves
     * as {@code store: false}.
     */
    @Singleton
    ResponsesStore responsesStore(Environment env, RedisStore.Connection redis) {
        long ttl = setting(env, "responses.store.ttl.s", "RESPONSES_STORE_TTL_S", 86_400, 0, 30L * 24 * 3600);
        long mb = setting(env, "responses.store.max.mb", "RESPONSES_STORE_MAX_MB", 32, 1, 65_536);
        if (ttl == 0) {
            return new MemoryResponsesStore(Duration.ZERO, 0);
        }
        return redis.configured() ? new RedisResponsesStore(redis, Duration.ofSeconds(ttl))
                : new MemoryResponsesStore(Duration.ofSeconds(ttl), mb * 1024 * 1024);
    }

    static long setting(Environment env, String property, String variable, long fallback, long min, long max) {
        String value = env.getProperty(property, String.class).orElse(null);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            v = min - 1;
        }
        if (v < min || v > max) {
            throw new ConfigException(List.of(variable + "='" + value + "' is not valid (expected: a whole number from "
                    + min + " to " + max + ")"));
        }
        return v;
    }
}
