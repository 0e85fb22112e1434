package dev.sluice.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How pools balance and watch their deployments beyond the retry settings (docs/ROUTING.md): the strategy of
 * particular aliases, prefix affinity's spill margin, how often runtime load is read, and active health checks.
 *
 * @param strategyByAlias {@code routing_strategy_per_alias}: aliases whose pool uses another strategy than
 *     {@code routing_strategy}
 * @param affinitySpill {@code affinity_spill}: prefix affinity leaves a conversation's deployment when that is
 *     busier than the least loaded one by more than this many requests
 * @param loadPollInterval {@code load_poll_interval}: how often load-aware pools read their runtimes' metrics
 * @param healthCheckInterval {@code health_check_interval}: how often every deployment's health path is probed;
 *     zero (the default) for passive ejection only
 * @param healthCheckTimeout {@code health_check_timeout}: a probe unanswered within this failed
 * @param unhealthyThreshold {@code health_check_unhealthy_threshold}: failed probes in a row that take a
 *     deployment out
 * @param healthyThreshold {@code health_check_healthy_threshold}: good probes in a row that bring it back
 * @param queueSize {@code queue_size}: requests that may wait per alias when every deployment is at its
 *     {@code max_concurrency}; one more is shed (429, Anthropic 529); 0 sheds at once
 * @param queueTimeout {@code queue_timeout}: the longest a request waits for a slot before it is shed
 */
public record Balancing(
        Map<String, RoutingStrategy> strategyByAlias,
        double affinitySpill,
        Duration loadPollInterval,
        Duration healthCheckInterval,
        Duration healthCheckTimeout,
        int unhealthyThreshold,
        int healthyThreshold,
        int queueSize,
        Duration queueTimeout) {

    public static final double DEFAULT_AFFINITY_SPILL = 4;
    public static final Duration DEFAULT_LOAD_POLL_INTERVAL = Duration.ofMillis(500);
    public static final Duration DEFAULT_HEALTH_CHECK_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;
    public static final int DEFAULT_HEALTHY_THRESHOLD = 2;
    /** Per alias: enough for a burst several times a fleet's slots, small enough that waiting bodies stay cheap. */
    public static final int DEFAULT_QUEUE_SIZE = 1000;
    /** Below KEEPALIVE_S (15 s), so by default a shed stream gets a real 429/529, which SDKs retry. */
    public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(10);

    /** Without queue settings: their defaults. */
    public Balancing(Map<String, RoutingStrategy> strategyByAlias, double affinitySpill, Duration loadPollInterval,
            Duration healthCheckInterval, Duration healthCheckTimeout, int unhealthyThreshold, int healthyThreshold) {
        this(strategyByAlias, affinitySpill, loadPollInterval, healthCheckInterval, healthCheckTimeout,
                unhealthyThreshold, healthyThreshold, DEFAULT_QUEUE_SIZE, DEFAULT_QUEUE_TIMEOUT);
    }

    public Balancing {
        strategyByAlias = Collections.unmodifiableMap(new LinkedHashMap<>(strategyByAlias));
    }

    public static Balancing defaults() {
        return new Balancing(Map.of(), DEFAULT_AFFINITY_SPILL, DEFAULT_LOAD_POLL_INTERVAL, Duration.ZERO,
                DEFAULT_HEALTH_CHECK_TIMEOUT, DEFAULT_UNHEALTHY_THRESHOLD, DEFAULT_HEALTHY_THRESHOLD);
    }

    /** The strategy of {@code alias}'s pool: its own, else {@code fallback} (the file's routing_strategy). */
    public RoutingStrategy strategyFor(String alias, RoutingStrategy fallback) {
        return strategyByAlias.getOrDefault(alias, fallback);
    }
}
