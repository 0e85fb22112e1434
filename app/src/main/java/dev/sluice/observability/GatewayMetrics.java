package dev.sluice.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's Prometheus metrics. Every label value comes from a bounded set: route templates, status
 * codes, error kinds, and model names from configuration (anything else is {@code other}), so a client
 * sending random model names or paths cannot mint new series (LiteLLM PR#39136).
 */
public final class GatewayMetrics {
    private static final int MAX_MODEL_LABELS = 32;
    /** Fixed buckets keep each histogram to a dozen series instead of Micrometer's ~70 percentile buckets. */
    private static final Duration[] DURATION_BUCKETS = durations(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
            10_000, 30_000, 60_000, 120_000, 300_000);
    private static final Duration[] TTFT_BUCKETS = durations(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000,
            30_000, 60_000);
    private static final Duration[] QUEUE_BUCKETS = durations(1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000,
            30_000, 60_000);

    private final MeterRegistry registry;
    private final AtomicInteger activeStreams = new AtomicInteger();
    private final Set<String> modelLabels = ConcurrentHashMap.newKeySet();
    private volatile Set<String> knownModels;
    private final GenAiMetrics genAi;
    private final MeterCache meters = new MeterCache();
    private final java.util.Map<String, AtomicInteger> queueDepths = new ConcurrentHashMap<>();

    /**
     * @param knownModels the configured model aliases; when empty, the first few names seen become labels
     */
    public GatewayMetrics(MeterRegistry registry, java.util.Collection<String> knownModels) {
        this.registry = registry;
        this.knownModels = Set.copyOf(knownModels);
        this.genAi = new GenAiMetrics(registry);
        registry.gauge("sluice.active.streams", activeStreams);
    }

    /**
     * Adds a reloaded config file's aliases to the model labels. Aliases it dropped keep theirs: their series were
     * exported already, and an operator's config bounds the set.
     */
    public void addKnownModels(java.util.Collection<String> aliases) {
        Set<String> union = new java.util.HashSet<>(knownModels);
        union.addAll(aliases);
        knownModels = Set.copyOf(union);
    }

    private static Duration[] durations(long... millis) {
        Duration[] d = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            d[i] = Duration.ofMillis(millis[i]);
        }
        return d;
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void streamOpened() {
        activeStreams.incrementAndGet();
    }

    public void streamClosed() {
        activeStreams.decrementAndGet();
    }

    public int activeStreams() {
        return activeStreams.get();
    }

    /** Bounds model label values: the configured aliases, else the first few seen, else {@code other}. */
    public String modelLabel(String model) {
        if (model == null || model.isEmpty()) {
            return "none";
        }
        if (!knownModels.isEmpty()) {
            return knownModels.contains(model) ? model : "other";
        }
        if (modelLabels.contains(model)) {
            return model;
        }
        if (modelLabels.size() < MAX_MODEL_LABELS && model.length() <= 128) {
            modelLabels.add(model);
            return model;
        }
        return "other";
    }

    public void record(RequestRecord r) {
        String status = Integer.toString(r.status());
        counter("sluice.requests", "Requests by route template, method and status",
                "route", r.route(), "method", r.method(), "status", status).increment();
        timer("sluice.request.duration", "Time from request to the end of the response", DURATION_BUCKETS,
                "route", r.route()).record(r.durationNanos(), TimeUnit.NANOSECONDS);
        String model = modelLabel(r);
        if (r.ttftNanos() >= 0) {
            timer("sluice.time.to.first.token", "Time to the first streamed token", TTFT_BUCKETS, "model", model)
                    .record(r.ttftNanos(), TimeUnit.NANOSECONDS);
        }
        if (r.principal() != null) {
            // a key's name or position+fingerprint, never the key; bounded by the configured keys
            counter("sluice.key.requests", "Requests by API key name", "key", r.principal(), "status", status)
                    .increment();
            if (r.tokensOut() > 0 || r.tokensIn() > 0) {
                counter("sluice.key.tokens", "Tokens by API key name", "key", r.principal())
                        .increment(Math.max(0, r.tokensIn()) + Math.max(0, r.tokensOut()));
            }
        }
        if (r.tokensIn() > 0) {
            tokens(model, "in").increment(r.tokensIn());
        }
        if (r.tokensOut() > 0) {
            tokens(model, "out").increment(r.tokensOut());
        }
        genAi.record(r, model);
        if (!"ok".equals(r.outcome()) && r.streaming()) {
            counter("sluice.stream.aborted", "Streams that did not end normally, by reason", "reason", r.outcome())
                    .increment();
        }
    }

    /** The request's alias, or the model name the client sent when the alias is the catch-all {@code *}; bounded. */
    private String modelLabel(RequestRecord r) {
        return modelLabel(r.alias() != null && !r.alias().contains("*") ? r.alias() : r.model());
    }

    private Counter tokens(String model, String direction) {
        return counter("sluice.tokens", "Tokens in (prompt) and out (completion)", "model", model,
                "direction", direction);
    }

    private Counter counter(String name, String description, String... tags) {
        return meters.get(new MeterKey(name, java.util.Arrays.asList(tags)),
                () -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    private Timer timer(String name, String description, Duration[] buckets, String... tags) {
        return meters.get(new MeterKey(name, java.util.Arrays.asList(tags)),
                () -> Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(buckets)
                        .register(registry));
    }

    private record MeterKey(String name, java.util.List<String> tags) {}

    public void backendError(String kind) {
        Counter.builder("sluice.backend.errors").description("Backend failures by kind")
                .tag("kind", kind).register(registry).increment();
    }

    public void upstreamAttempt(String deployment) {
        Counter.builder("sluice.upstream.attempts").description("Requests sent to each deployment, retries included")
                .tag("deployment", deployment).register(registry).increment();
    }

    /**
     * {@code sluice_route_choice_total{alias, deployment, strategy}}: which deployment the pool's strategy chose for
     * an attempt, so a strategy's spread (or prefix affinity's stickiness) can be seen.
     */
    public void routeChoice(String alias, String deployment, String strategy) {
        counter("sluice.route.choice", "Deployments chosen for attempts, by the pool's strategy", "alias", alias,
                "deployment", deployment, "strategy", strategy).increment();
    }

    public void upstreamRetry(String alias) {
        Counter.builder("sluice.upstream.retries").description("Retries within a model alias's pool")
                .tag("alias", alias).register(registry).increment();
    }

    public void upstreamFallback(String alias) {
        Counter.builder("sluice.upstream.fallbacks").description("Attempts moved to a fallback alias")
                .tag("alias", alias).register(registry).increment();
    }

    public void upstreamEjected(String deployment) {
        Counter.builder("sluice.upstream.ejections").description("Deployments ejected after consecutive failures")
                .tag("deployment", deployment).register(registry).increment();
    }

    /**
     * A request left an alias's admission control (only pools with a {@code max_concurrency} report):
     * {@code sluice_admission_total{alias, key, outcome}} with outcome admitted, shed_full, shed_timeout or
     * cancelled, and for the admitted {@code sluice_queue_wait_seconds{alias}} (0 when a slot was free).
     *
     * @param key the key's name (bounded by the configured keys), "" without keys
     */
    public void admission(String alias, String key, String outcome, long waitNanos) {
        counter("sluice.admission", "Requests admitted to a deployment or shed by admission control",
                "alias", alias, "key", key.isEmpty() ? "none" : key, "outcome", outcome).increment();
        if ("admitted".equals(outcome)) {
            timer("sluice.queue.wait", "Time a request waited for a deployment below its max_concurrency",
                    QUEUE_BUCKETS, "alias", alias).record(waitNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** {@code sluice_queue_depth{alias}}: requests waiting for a slot now. */
    public void queueDepth(String alias, int delta) {
        queueDepths.computeIfAbsent(alias, a -> {
            AtomicInteger depth = new AtomicInteger();
            io.micrometer.core.instrument.Gauge.builder("sluice.queue.depth", depth, AtomicInteger::get)
                    .description("Requests waiting for a deployment below its max_concurrency").tag("alias", a)
                    .register(registry);
            return depth;
        }).addAndGet(delta);
    }

    /**
     * A request's spend at the configured prices, in US dollars ({@code sluice_spend_total}), by key name (or
     * {@code none} without a key) and model, labelled as {@code sluice_tokens_total}: never a secret, and bounded.
     */
    public void spend(RequestRecord r, double usd) {
        counter("sluice.spend", "Spend in US dollars at the configured prices, by API key name and model alias",
                "key", r.principal() == null ? "none" : r.principal(), "model", modelLabel(r)).increment(usd);
    }

    /** A request refused because a key's or an alias's budget was spent; scope key or model, period daily or monthly. */
    public void budgetExceeded(String scope, String period) {
        counter("sluice.budget.exceeded", "Requests refused because a key's or a model alias's budget was spent",
                "scope", scope, "period", period).increment();
    }

    public void rateLimited() {
        Counter.builder("sluice.rate.limited").description("Requests refused by the rate limiter")
                .register(registry).increment();
    }
}
