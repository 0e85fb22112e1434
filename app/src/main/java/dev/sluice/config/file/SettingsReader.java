package dev.sluice.config.file;

import dev.sluice.config.Balancing;
import dev.sluice.config.GeneralSettings;
import dev.sluice.config.RoutingStrategy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code general_settings}, plus the keys LiteLLM puts under {@code router_settings} and
 * {@code litellm_settings}, into {@link GeneralSettings}. A key given in several sections is read from the first
 * of general_settings, router_settings, litellm_settings, with a warning on the others.
 */
final class SettingsReader {
    static final List<String> ROUTING_KEYS = List.of("num_retries", "fallbacks", "routing_strategy",
            "retry_backoff_base", "retry_backoff_max", "retry_after_cap", "retry_budget_ratio", "allowed_fails",
            "cooldown", "cooldown_time", "routing_strategy_per_alias", "affinity_spill", "load_poll_interval",
            "health_check_interval", "health_check_timeout", "health_check_unhealthy_threshold",
            "health_check_healthy_threshold", "queue_size", "queue_timeout");
    private static final List<String> GENERAL_KEYS = concat(concat(List.of("master_key"), ROUTING_KEYS),
            List.of("redis_url", "redis_timeout_ms", "redis_failure_mode", "redis_replicas_hint"));
    private static final List<String> LITELLM_KEYS = List.of("num_retries", "fallbacks");
    private static final String FALLBACKS_EXAMPLE = "fallbacks: [{llama: [llama-small, gpt-4o-mini]}]";

    private record Located(Object value, String path) {}

    private final ConfigReader r;
    private final Set<String> aliases;

    /** @param aliases every {@code model_name} in {@code model_list}, for checking fallbacks */
    SettingsReader(ConfigReader reader, Set<String> aliases) {
        this.r = reader;
        this.aliases = aliases;
    }

    GeneralSettings read(Map<String, Object> root) {
        Map<String, Located> merged = new LinkedHashMap<>();
        collect(root, "general_settings", GENERAL_KEYS, merged);
        collect(root, "router_settings", ROUTING_KEYS, merged);
        collect(root, "litellm_settings", LITELLM_KEYS, merged);

        Located master = merged.get("master_key");
        String masterKey = master == null ? null : r.resolved(master.value, master.path, true);
        if (masterKey != null) {
            KeysReader.shortKey(masterKey, master.path, r);
        }
        int numRetries = orDefault(integer(merged, "num_retries", 0, 100, ", extra attempts within a pool"),
                GeneralSettings.DEFAULT_NUM_RETRIES);
        Map<String, List<String>> fallbacks = fallbacks(merged.get("fallbacks"));
        RoutingStrategy strategy = strategy(merged.get("routing_strategy"));
        Duration base = duration(merged, "retry_backoff_base", Duration.ZERO, Duration.ofMinutes(1),
                GeneralSettings.DEFAULT_RETRY_BACKOFF_BASE);
        Duration max = duration(merged, "retry_backoff_max", Duration.ZERO, Duration.ofMinutes(5),
                GeneralSettings.DEFAULT_RETRY_BACKOFF_MAX);
        if (max.compareTo(base) < 0) {
            Located at = merged.getOrDefault("retry_backoff_max", merged.get("retry_backoff_base"));
            r.error(at.path, "retry_backoff_max (" + max.toMillis() + "ms) is shorter than retry_backoff_base ("
                    + base.toMillis() + "ms) (expected: max >= base)");
        }
        Duration retryAfterCap = duration(merged, "retry_after_cap", Duration.ZERO, Duration.ofMinutes(10),
                GeneralSettings.DEFAULT_RETRY_AFTER_CAP);
        Located budget = merged.get("retry_budget_ratio");
        Double ratio = budget == null ? null : r.decimal(budget.value, budget.path, 0, 1,
                ", the share of extra attempts allowed; 0.2 = 20 %");
        int allowedFails = orDefault(integer(merged, "allowed_fails", 1, 1000,
                ", consecutive failures before a deployment is ejected"), GeneralSettings.DEFAULT_ALLOWED_FAILS);
        Duration cooldown = duration(merged, "cooldown", Duration.ofMillis(1), Duration.ofHours(1),
                GeneralSettings.DEFAULT_COOLDOWN);
        return new GeneralSettings(masterKey, numRetries, fallbacks, strategy, base, max, retryAfterCap,
                ratio == null ? GeneralSettings.DEFAULT_RETRY_BUDGET_RATIO : ratio, allowedFails, cooldown,
                balancing(merged));
    }

    /** The load-balancing keys (docs/ROUTING.md). */
    private Balancing balancing(Map<String, Located> merged) {
        Map<String, RoutingStrategy> byAlias = new LinkedHashMap<>();
        Located per = merged.get("routing_strategy_per_alias");
        if (per != null && per.value != null) {
            Map<String, Object> map = r.map(per.value, per.path, "{qwen: prefix_affinity}");
            if (map != null) {
                map.forEach((alias, v) -> {
                    String path = ConfigReader.key(per.path, alias);
                    if (!aliases.contains(alias)) {
                        r.error(path, "'" + alias + "' is not a model_name in model_list" + known());
                        return;
                    }
                    byAlias.put(alias, strategy(new Located(v, path)));
                });
            }
        }
        Located spill = merged.get("affinity_spill");
        Double spillValue = spill == null ? null : r.decimal(spill.value, spill.path, 0, 1_000_000,
                ", requests the preferred deployment may be busier than the least loaded");
        Duration poll = duration(merged, "load_poll_interval", Duration.ofMillis(50), Duration.ofMinutes(1),
                Balancing.DEFAULT_LOAD_POLL_INTERVAL);
        Duration every = duration(merged, "health_check_interval", Duration.ZERO, Duration.ofHours(1), Duration.ZERO);
        Duration timeout = duration(merged, "health_check_timeout", Duration.ofMillis(10), Duration.ofMinutes(1),
                Balancing.DEFAULT_HEALTH_CHECK_TIMEOUT);
        int down = orDefault(integer(merged, "health_check_unhealthy_threshold", 1, 100,
                ", failed probes in a row that take a deployment out"), Balancing.DEFAULT_UNHEALTHY_THRESHOLD);
        int up = orDefault(integer(merged, "health_check_healthy_threshold", 1, 100,
                ", good probes in a row that bring it back"), Balancing.DEFAULT_HEALTHY_THRESHOLD);
        int queueSize = orDefault(integer(merged, "queue_size", 0, 1_000_000,
                ", requests that may wait per alias when every deployment is at its max_concurrency"),
                Balancing.DEFAULT_QUEUE_SIZE);
        Duration queueTimeout = duration(merged, "queue_timeout", Duration.ofMillis(1), Duration.ofHours(1),
                Balancing.DEFAULT_QUEUE_TIMEOUT);
        return new Balancing(byAlias, spillValue == null ? Balancing.DEFAULT_AFFINITY_SPILL : spillValue, poll,
                every, timeout, down, up, queueSize, queueTimeout);
    }

    private void collect(Map<String, Object> root, String section, List<String> known, Map<String, Located> merged) {
        Map<String, Object> map = r.map(root.get(section), section, "num_retries: 2");
        if (map == null) {
            return;
        }
        for (Map.Entry<String, Object> e : map.entrySet()) {
            String path = ConfigReader.key(section, e.getKey());
            if (!known.contains(e.getKey())) {
                r.warn(path, "not used by Sluice, ignored" + ConfigReader.suggestion(e.getKey(), known)
                        + " (" + section + " keys Sluice reads: " + String.join(", ", known) + ")");
                continue;
            }
            // LiteLLM spells the cooldown cooldown_time (seconds); both read as a duration
            String canonical = e.getKey().equals("cooldown_time") ? "cooldown" : e.getKey();
            Located earlier = merged.get(canonical);
            if (earlier != null) {
                r.warn(path, "also given as " + earlier.path + ", which is used; this one is ignored");
                continue;
            }
            merged.put(canonical, new Located(e.getValue(), path));
        }
    }

    private Integer integer(Map<String, Located> merged, String key, long min, long max, String meaning) {
        Located l = merged.get(key);
        return l == null ? null : r.integer(l.value, l.path, min, max, meaning);
    }

    private Duration duration(Map<String, Located> merged, String key, Duration min, Duration max, Duration def) {
        Located l = merged.get(key);
        Duration d = l == null ? null : r.duration(l.value, l.path, min, max);
        return d == null ? def : d;
    }

    private static int orDefault(Integer value, int def) {
        return value == null ? def : value;
    }

    private RoutingStrategy strategy(Located l) {
        if (l == null) {
            return GeneralSettings.DEFAULT_ROUTING_STRATEGY;
        }
        String s = r.string(l.value, l.path);
        if (s == null) {
            return GeneralSettings.DEFAULT_ROUTING_STRATEGY;
        }
        try {
            return RoutingStrategy.parse(s);
        } catch (IllegalArgumentException e) {
            r.error(l.path, e.getMessage());
            return GeneralSettings.DEFAULT_ROUTING_STRATEGY;
        }
    }

    /** LiteLLM's list of single-key mappings, {@code [{a: [b, c]}, {d: [e]}]}, or a plain mapping {@code {a: [b, c]}}. */
    private Map<String, List<String>> fallbacks(Located l) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (l == null || l.value == null) {
            return out;
        }
        Map<String, String> seenAt = new LinkedHashMap<>();
        if (l.value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                String itemPath = ConfigReader.index(l.path, i);
                Map<String, Object> item = r.map(list.get(i), itemPath, FALLBACKS_EXAMPLE);
                if (item == null) {
                    if (list.get(i) == null) {
                        r.error(itemPath, "is empty (expected e.g. " + FALLBACKS_EXAMPLE + ")");
                    }
                    continue;
                }
                item.forEach((alias, chain) -> chain(alias, chain, ConfigReader.key(itemPath, alias), out, seenAt));
            }
        } else if (l.value instanceof Map<?, ?>) {
            Map<String, Object> map = r.map(l.value, l.path, FALLBACKS_EXAMPLE);
            map.forEach((alias, chain) -> chain(alias, chain, ConfigReader.key(l.path, alias), out, seenAt));
        } else {
            r.error(l.path, ConfigReader.show(l.value) + " is not a list of fallbacks (expected e.g. "
                    + FALLBACKS_EXAMPLE + ")");
        }
        return out;
    }

    private void chain(String alias, Object value, String path, Map<String, List<String>> out,
            Map<String, String> seenAt) {
        boolean ok = true;
        if (!aliases.contains(alias)) {
            r.error(path, "'" + alias + "' is not a model_name in model_list" + known());
            ok = false;
        }
        if (seenAt.containsKey(alias)) {
            r.error(path, "the fallbacks of '" + alias + "' are already given at " + seenAt.get(alias)
                    + " (expected: one chain per model_name)");
            ok = false;
        }
        seenAt.putIfAbsent(alias, path);
        List<Object> targets = value instanceof String s ? List.of(s)
                : r.list(value, path, "[" + alias + "-small, gpt-4o-mini]");
        if (targets == null) {
            if (value == null) {
                r.warn(path, "has no fallbacks; ignored");
            }
            return;
        }
        List<String> chain = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            String target = r.string(targets.get(i), value instanceof String ? path : ConfigReader.index(path, i));
            if (target == null) {
                r.error(path, "has an empty entry (expected model_names from model_list)");
                ok = false;
            } else if (target.equals(alias)) {
                r.error(path, "'" + alias + "' falls back to itself (remove it from its own fallbacks)");
                ok = false;
            } else if (!aliases.contains(target)) {
                r.error(path, "'" + target + "' is not a model_name in model_list" + known());
                ok = false;
            } else if (chain.contains(target)) {
                r.warn(path, "'" + target + "' is listed twice; the second is ignored");
            } else {
                chain.add(target);
            }
        }
        if (ok && !chain.isEmpty()) {
            out.put(alias, chain);
        }
    }

    private String known() {
        List<String> list = new ArrayList<>(aliases);
        String shown = String.join(", ", list.subList(0, Math.min(10, list.size())));
        return " (known: " + shown + (list.size() > 10 ? ", ..." : "") + ")";
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
