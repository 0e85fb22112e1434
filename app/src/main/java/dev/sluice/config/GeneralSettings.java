package dev.sluice.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway-wide part of the config file: {@code general_settings} (and the routing keys LiteLLM puts under
 * {@code router_settings}).
 *
 * @param masterKey the key of the key admin API, also a client key accepted in addition to {@code API_KEYS}
 *     ({@code master_key}, or SLUICE_MASTER_KEY); null when not given
 * @param numRetries extra attempts within a pool after the first one fails retryably (default 2)
 * @param fallbacks per alias, the aliases tried in order once its own pool has failed
 * @param routingStrategy how a pool picks a deployment (default weighted round-robin)
 * @param retryBackoffBase first backoff step; attempt n waits a random time in [0, min(max, base * 2^n)] (full jitter)
 * @param retryBackoffMax cap on one backoff step
 * @param retryAfterCap longest {@code Retry-After} honoured; a longer one means "do not retry this deployment now"
 * @param retryBudgetRatio retries allowed as a share of requests in flight (0.2 = at most 20 % extra attempts)
 * @param allowedFails consecutive failures after which a deployment is ejected
 * @param cooldown how long an ejected deployment stays out before it is probed again
 * @param balancing per-alias strategies, prefix affinity's spill, load polling and active health checks
 */
public record GeneralSettings(
        String masterKey,
        int numRetries,
        Map<String, List<String>> fallbacks,
        RoutingStrategy routingStrategy,
        Duration retryBackoffBase,
        Duration retryBackoffMax,
        Duration retryAfterCap,
        double retryBudgetRatio,
        int allowedFails,
        Duration cooldown,
        Balancing balancing) {

    public static final int DEFAULT_NUM_RETRIES = 2;
    public static final RoutingStrategy DEFAULT_ROUTING_STRATEGY = RoutingStrategy.WEIGHTED;
    public static final Duration DEFAULT_RETRY_BACKOFF_BASE = Duration.ofMillis(25);
    public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofMillis(250);
    public static final Duration DEFAULT_RETRY_AFTER_CAP = Duration.ofSeconds(10);
    public static final double DEFAULT_RETRY_BUDGET_RATIO = 0.2;
    public static final int DEFAULT_ALLOWED_FAILS = 3;
    public static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(30);

    /** Without balancing settings: their defaults. */
    public GeneralSettings(String masterKey, int numRetries, Map<String, List<String>> fallbacks,
            RoutingStrategy routingStrategy, Duration retryBackoffBase, Duration retryBackoffMax,
            Duration retryAfterCap, double retryBudgetRatio, int allowedFails, Duration cooldown) {
        this(masterKey, numRetries, fallbacks, routingStrategy, retryBackoffBase, retryBackoffMax, retryAfterCap,
                retryBudgetRatio, allowedFails, cooldown, Balancing.defaults());
    }

    public GeneralSettings {
        java.util.Objects.requireNonNull(balancing, "balancing");
        Map<String, List<String>> copy = new LinkedHashMap<>();
        fallbacks.forEach((alias, chain) -> copy.put(alias, List.copyOf(chain)));
        fallbacks = Collections.unmodifiableMap(copy);
    }

    /** Every setting at its default: no master key, no fallbacks. */
    public static GeneralSettings defaults() {
        return new GeneralSettings(null, DEFAULT_NUM_RETRIES, Map.of(), DEFAULT_ROUTING_STRATEGY,
                DEFAULT_RETRY_BACKOFF_BASE, DEFAULT_RETRY_BACKOFF_MAX, DEFAULT_RETRY_AFTER_CAP,
                DEFAULT_RETRY_BUDGET_RATIO, DEFAULT_ALLOWED_FAILS, DEFAULT_COOLDOWN);
    }

    /** The same settings with another master key (SLUICE_MASTER_KEY, {@link Precedence}). */
    public GeneralSettings withMasterKey(String key) {
        return new GeneralSettings(key, numRetries, fallbacks, routingStrategy, retryBackoffBase, retryBackoffMax,
                retryAfterCap, retryBudgetRatio, allowedFails, cooldown, balancing);
    }

    public boolean hasMasterKey() {
        return masterKey != null && !masterKey.isEmpty();
    }

    /** The aliases to try, in order, after {@code alias} has failed; empty when none are configured. */
    public List<String> fallbacksFor(String alias) {
        return fallbacks.getOrDefault(alias, List.of());
    }

    /** Never prints the master key. */
    @Override
    public String toString() {
        return "GeneralSettings[masterKey=" + (hasMasterKey() ? "***" : "none") + ", numRetries=" + numRetries
                + ", fallbacks=" + fallbacks + ", routingStrategy=" + routingStrategy.id() + ", retryBackoffBase="
                + retryBackoffBase + ", retryBackoffMax=" + retryBackoffMax + ", retryAfterCap=" + retryAfterCap
                + ", retryBudgetRatio=" + retryBudgetRatio + ", allowedFails=" + allowedFails + ", cooldown="
                + cooldown + ", balancing=" + balancing + "]";
    }
}
