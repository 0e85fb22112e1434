package dev.sluice.config.file;

import dev.sluice.config.AuthSettings;

import dev.sluice.config.NamedKey;
import dev.sluice.config.RedisSettings;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads the top-level {@code keys:} list and the Redis settings of {@code general_settings}. */
final class KeysReader {
    private static final List<String> KEY_KEYS = List.of("name", "key", "key_sha256", "rpm", "tpm", "models",
            "expires", "budget", "priority");
    private static final String EXAMPLE = "{name: team-a, key: os.environ/TEAM_A_KEY, rpm: 60, tpm: 100000}";

    private KeysReader() {}

    static List<NamedKey> keys(Map<String, Object> root, ConfigReader r) {
        List<Object> entries = r.list(root.get("keys"), "keys", "[" + EXAMPLE + "]");
        List<NamedKey> out = new ArrayList<>();
        if (entries == null) {
            return out;
        }
        Set<String> names = new HashSet<>();
        Set<String> digests = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            String path = ConfigReader.index("keys", i);
            Map<String, Object> e = r.map(entries.get(i), path, EXAMPLE);
            if (e == null) {
                if (entries.get(i) == null) {
                    r.error(path, "is empty (expected e.g. " + EXAMPLE + ")");
                }
                continue;
            }
            r.unknownKeys(e, path, KEY_KEYS, "keys entry keys");
            String name = r.string(e.get("name"), ConfigReader.key(path, "name"));
            if (name == null) {
                r.error(ConfigReader.key(path, "name"), "missing (expected the name logs and metrics show, e.g."
                        + " name: team-a)");
            } else if (!names.add(name)) {
                r.error(ConfigReader.key(path, "name"), "'" + name + "' is used by another key (expected: unique"
                        + " names)");
            }
            byte[] digest = null;
            if (e.get("key") != null && e.get("key_sha256") != null) {
                r.error(path, "has both key and key_sha256 (expected one of them)");
            } else if (e.get("key") != null) {
                String secret = r.resolved(e.get("key"), ConfigReader.key(path, "key"), true);
                if (secret != null) {
                    digest = sha256(secret);
                    shortKey(secret, ConfigReader.key(path, "key"), r);
                }
            } else if (e.get("key_sha256") != null) {
                String hex = r.string(e.get("key_sha256"), ConfigReader.key(path, "key_sha256"));
                if (hex != null && hex.matches("[0-9a-fA-F]{64}")) {
                    digest = HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
                } else if (hex != null) {
                    r.error(ConfigReader.key(path, "key_sha256"), "is not a SHA-256 digest (expected 64 hex digits,"
                            + " e.g. the output of: printf %s \"$KEY\" | sha256sum)");
                }
            } else {
                r.error(path, "has no key (expected key: os.environ/VAR, or key_sha256: <64 hex digits>)");
            }
            if (digest != null && !digests.add(HexFormat.of().formatHex(digest))) {
                r.error(path, "has the same secret as another key (expected: one secret per key)");
            }
            Integer rpm = r.integer(e.get("rpm"), ConfigReader.key(path, "rpm"), 1, Integer.MAX_VALUE,
                    ", requests per minute for this key");
            Integer tpm = r.integer(e.get("tpm"), ConfigReader.key(path, "tpm"), 1, Integer.MAX_VALUE,
                    ", tokens per minute for this key");
            List<String> models = new ArrayList<>();
            Object m = e.get("models");
            if (m instanceof String s) {
                models.add(s.trim());
            } else {
                List<Object> list = r.list(m, ConfigReader.key(path, "models"), "[llama, gpt-*]");
                if (list != null) {
                    for (int j = 0; j < list.size(); j++) {
                        String a = r.string(list.get(j), ConfigReader.index(ConfigReader.key(path, "models"), j));
                        if (a != null) {
                            models.add(a);
                        }
                    }
                }
            }
            Instant expires = expires(e.get("expires"), ConfigReader.key(path, "expires"), r);
            var budget = SpendReader.budget(e.get("budget"), ConfigReader.key(path, "budget"), r);
            Integer priority = r.integer(e.get("priority"), ConfigReader.key(path, "priority"), -1_000_000,
                    1_000_000, "; waiting requests of a higher priority get a free deployment first, default 0");
            if (name != null && digest != null) {
                out.add(new NamedKey(name, digest, rpm, tpm, models, expires, budget,
                        priority == null ? 0 : priority));
            }
        }
        return out;
    }

    private static Instant expires(Object value, String path, ConfigReader r) {
        if (value == null) {
            return null;
        }
        if (value instanceof java.util.Date d) {
            return d.toInstant();
        }
        String s = value instanceof LocalDate ld ? ld.toString() : r.string(value, path);
        if (s == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the shorter forms
        }
        try {
            return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException ignored) {
            // try a date
        }
        try {
            return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException ex) {
            r.error(path, ConfigReader.show(value) + " is not a date or time (expected ISO 8601, e.g. 2026-12-31 or"
                    + " 2026-12-31T18:00:00Z; times without an offset are UTC)");
            return null;
        }
    }

    /** redis_url, redis_timeout_ms, redis_failure_mode, redis_replicas_hint under general_settings. */
    static RedisSettings redis(Map<String, Object> root, ConfigReader r) {
        if (!(root.get("general_settings") instanceof Map<?, ?> raw)) {
            return RedisSettings.none();
        }
        String base = "general_settings";
        String url = r.resolved(raw.get("redis_url"), ConfigReader.key(base, "redis_url"), true);
        if (url != null && RedisSettings.problem(url) != null) {
            r.error(ConfigReader.key(base, "redis_url"), RedisSettings.problem(url));
            url = null;
        }
        Integer timeout = r.integer(raw.get("redis_timeout_ms"), ConfigReader.key(base, "redis_timeout_ms"), 1,
                60_000, ", milliseconds a request may wait for Redis");
        String mode = r.string(raw.get("redis_failure_mode"), ConfigReader.key(base, "redis_failure_mode"));
        if (mode != null && !mode.equals("open") && !mode.equals("closed")) {
            r.error(ConfigReader.key(base, "redis_failure_mode"), ConfigReader.show(mode)
                    + " is not a mode (expected: open or closed)");
        }
        Integer hint = r.integer(raw.get("redis_replicas_hint"), ConfigReader.key(base, "redis_replicas_hint"), 1,
                10_000, ", replicas sharing the limits");
        return new RedisSettings(url, timeout == null ? RedisSettings.DEFAULT_TIMEOUT : Duration.ofMillis(timeout),
                "closed".equals(mode), hint == null ? 1 : hint);
    }

    /** Warns about a key short enough to guess, by its length only. */
    static void shortKey(String secret, String path, ConfigReader r) {
        if (secret.length() < AuthSettings.SHORT_KEY) {
            r.warn(path, "is " + secret.length() + " characters long; a key shorter than " + AuthSettings.SHORT_KEY
                    + " characters can be guessed (generate one with: openssl rand -hex 32)");
        }
    }

    static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
