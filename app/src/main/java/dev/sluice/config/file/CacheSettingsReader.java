package dev.sluice.config.file;

import dev.sluice.config.CacheSettings;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the {@code cache:} key of the {@code model_list} entries: {@code cache: {ttl: 300, backend: memory,
 * max_entries: 10000, shared: false}}. Entries of one alias that give it must give the same one; entries that leave it out
 * share the alias's cache all the same.
 */
final class CacheSettingsReader {
    static final List<String> KEYS = List.of("ttl", "backend", "max_entries", "shared");
    private static final Duration MAX_TTL = Duration.ofDays(30);

    private CacheSettingsReader() {}

    static Map<String, CacheSettings> read(Map<String, Object> root, ConfigReader r) {
        return PerAliasReader.read(root, r, "cache", (value, path) -> one(value, path, r));
    }

    private static CacheSettings one(Object value, String path, ConfigReader r) {
        Map<String, Object> m = r.map(value, path, "cache: {ttl: 300}");
        if (m == null) {
            return null;
        }
        int before = r.errorCount();
        r.unknownKeys(m, path, KEYS, "cache keys");
        Duration ttl = r.duration(m.get("ttl"), ConfigReader.key(path, "ttl"), Duration.ofMillis(1), MAX_TTL);
        if (m.get("ttl") == null) {
            r.error(ConfigReader.key(path, "ttl"), "missing (expected how long answers are kept, e.g. ttl: 300"
                    + " for five minutes)");
        }
        CacheSettings.Backend backend = null;
        Object b = m.get("backend");
        if (b != null) {
            String text = String.valueOf(b).trim().toLowerCase(Locale.ROOT);
            switch (text) {
                case "memory" -> backend = CacheSettings.Backend.MEMORY;
                case "redis" -> backend = CacheSettings.Backend.REDIS;
                default -> r.error(ConfigReader.key(path, "backend"), ConfigReader.show(b)
                        + " is not a cache backend (expected: memory or redis)");
            }
        }
        Integer max = r.integer(m.get("max_entries"), ConfigReader.key(path, "max_entries"), 1, 100_000_000,
                ", answers kept in memory");
        boolean shared = false;
        Object sh = m.get("shared");
        if (sh instanceof Boolean bool) {
            shared = bool;
        } else if (sh != null) {
            r.error(ConfigReader.key(path, "shared"), ConfigReader.show(sh) + " is not a boolean (expected: true, so"
                    + " callers with different keys share this alias's answers, or false, the default)");
        }
        if (r.errorCount() > before || ttl == null) {
            return null;
        }
        return new CacheSettings(ttl, backend, max == null ? CacheSettings.DEFAULT_MAX_ENTRIES : max, shared);
    }
}
