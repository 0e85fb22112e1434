package dev.sluice.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches the deployments between requests. Reads each runtime's published load (its profile's metrics page) for
 * the pools whose strategy uses it, every {@code loadInterval} (with Redis, replicas share the readings:
 * {@link SharedLoad}); and, when {@code healthInterval} is set, probes
 * every deployment's health path, holding a deployment out after {@code unhealthyThreshold} failed probes in a
 * row and letting it back after {@code healthyThreshold} good ones. The active checks sit beside passive
 * ejection ({@link Upstream#failed}): they find a dead deployment before a request does, and keep a deployment
 * that answers requests but fails its probe (loading a model, draining) out of rotation.
 */
public final class LoadMonitor implements AutoCloseable {
    /** How often runtimes are asked for their concurrency limit: it changes only when a runtime restarts. */
    static final Duration CAPACITY_INTERVAL = Duration.ofSeconds(30);

    /**
     * @param loadInterval how often to read the runtimes' metrics; zero to never read them
     * @param healthInterval how often to probe health paths; zero for no active checks
     * @param healthTimeout a probe not answered within this counts as failed
     * @param unhealthyThreshold failed probes in a row that hold a deployment out
     * @param healthyThreshold good probes in a row that let it back
     */
    public record Settings(Duration loadInterval, Duration healthInterval, Duration healthTimeout,
            int unhealthyThreshold, int healthyThreshold) {
        public static final Duration DEFAULT_LOAD_INTERVAL = Duration.ofMillis(500);
        public static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(2);
        public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;
        public static final int DEFAULT_HEALTHY_THRESHOLD = 2;

        public Settings {
            if (unhealthyThreshold < 1 || healthyThreshold < 1) {
                throw new IllegalArgumentException("thresholds: " + unhealthyThreshold + "/" + healthyThreshold
                        + " (expected: >= 1)");
            }
        }

        /** Load read every 500 ms, no active health checks. */
        public static Settings defaults() {
            return new Settings(DEFAULT_LOAD_INTERVAL, Duration.ZERO, DEFAULT_HEALTH_TIMEOUT,
                    DEFAULT_UNHEALTHY_THRESHOLD, DEFAULT_HEALTHY_THRESHOLD);
        }
    }

    private final Settings settings;
    private final Router.RouteEvents events;
    /** Read each round, not once: a config reload puts new deployments (new {@link Upstream}s) in the router. */
    private final Router router;
    private final Map<Upstream, int[]> streaks = new IdentityHashMap<>();
    private final SharedLoad shared;
    private ScheduledExecutorService timer;

    public LoadMonitor(Router router, Settings settings, Router.RouteEvents events) {
        this(router, settings, events, null);
    }

    /**
     * @param shared readings shared with the other replicas through Redis, or null to scrape every runtime itself;
     *     closed with this monitor
     */
    public LoadMonitor(Router router, Settings settings, Router.RouteEvents events, SharedLoad shared) {
        this.shared = shared;
        this.settings = settings;
        this.events = events;
        this.router = router;
    }

    /** Every deployment the router routes to now, once each. */
    private List<Upstream> watched() {
        Set<Upstream> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Upstream> out = new ArrayList<>();
        for (Pool p : router.pools()) {
            for (Upstream u : p.upstreams()) {
                if (seen.add(u)) {
                    out.add(u);
                }
            }
        }
        return out;
    }

    /** The deployments of load-aware pools whose runtime publishes a metrics page. */
    private Set<Upstream> loadWatched() {
        Set<Upstream> out = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Pool p : router.pools()) {
            if (p.loadAware()) {
                for (Upstream u : p.upstreams()) {
                    if (u.profile().metricsPath() != null) {
                        out.add(u);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Starts polling in the background: capacities at once and every {@link #CAPACITY_INTERVAL}, load and health
     * when their intervals are set. Load is polled whatever the strategies now, since a reload may make a pool
     * load-aware; a round with nothing load-aware costs nothing.
     */
    public synchronized LoadMonitor start() {
        boolean load = !settings.loadInterval().isZero();
        boolean health = !settings.healthInterval().isZero();
        if (timer != null) {
            return this;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-load-monitor");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::readCapacityQuietly, 0, CAPACITY_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        if (load) {
            long ms = settings.loadInterval().toMillis();
            timer.scheduleWithFixedDelay(this::readLoadQuietly, 0, ms, TimeUnit.MILLISECONDS);
        }
        if (health) {
            long ms = settings.healthInterval().toMillis();
            timer.scheduleWithFixedDelay(this::checkHealthQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /**
     * Reads every watched runtime's load once (a reading another replica published within the last interval
     * counts as read); completes when all have answered or timed out.
     */
    public CompletableFuture<Void> readLoad() {
        // a reading stays worth using for three intervals: one late or lost scrape does not drop the signal
        long ttl = Math.max(settings.loadInterval().toNanos(), Duration.ofMillis(100).toNanos()) * 3;
        Set<Upstream> loadWatched = loadWatched();
        if (loadWatched.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        if (shared == null) {
            return scrape(loadWatched, ttl);
        }
        List<String> ids = loadWatched.stream().map(Upstream::id).toList();
        return shared.fresh(ids, Math.max(1, settings.loadInterval().toMillis())).thenCompose(found -> {
            long nowEpoch = System.currentTimeMillis();
            long nowNanos = System.nanoTime();
            List<Upstream> rest = new ArrayList<>();
            for (Upstream u : loadWatched) {
                SharedLoad.Reading r = found.get(u.id());
                if (r != null) {
                    u.signal(r.signal(nowEpoch, nowNanos, u.inFlight()), ttl);
                } else {
                    rest.add(u);
                }
            }
            return scrape(rest, ttl);
        });
    }

    private CompletableFuture<Void> scrape(Collection<Upstream> upstreams, long ttl) {
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (Upstream u : upstreams) {
            all.add(u.backend().scrape(u.profile().metricsPath()).thenAccept(page -> {
                if (page != null) {
                    LoadSignal s = RuntimeMetrics.parse(page, System.nanoTime(), u.inFlight());
                    u.signal(s, ttl);
                    if (shared != null) {
                        shared.publish(u.id(), s, TimeUnit.NANOSECONDS.toMillis(ttl));
                    }
                }
            }));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /**
     * Reads every deployment's concurrency limit from its runtime, where the runtime says it (the profile's
     * {@link dev.sluice.backend.BackendProfile.Capacity} page) and the deployment sets no {@code max_concurrency};
     * completes when all have answered. A page that is missing or does not say leaves the last value.
     */
    public CompletableFuture<Void> readCapacity() {
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (Upstream u : watched()) {
            var capacity = u.profile().capacity();
            if (capacity == null || u.limitSet()) {
                continue;
            }
            all.add(u.backend().scrape(capacity.path()).thenAccept(page -> {
                int limit = page == null ? 0 : RuntimeMetrics.capacity(page, capacity.field());
                if (limit > 0) {
                    u.published(limit);
                }
            }).exceptionally(e -> null));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** Probes every deployment once and applies the thresholds; completes when all probes have settled. */
    public CompletableFuture<Void> checkHealth() {
        List<CompletableFuture<?>> all = new ArrayList<>();
        List<Upstream> watched = watched();
        Set<Upstream> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(watched);
        synchronized (streaks) {
            streaks.keySet().retainAll(live); // deployments a reload took away; new ones start clean
        }
        for (Upstream u : watched) {
            all.add(u.backend().probe()
                    .completeOnTimeout(false, settings.healthTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .exceptionally(e -> false)
                    .thenAccept(ok -> record(u, ok)));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    private void record(Upstream u, boolean ok) {
        boolean eject;
        synchronized (streaks) {
            int[] s = streaks.computeIfAbsent(u, k -> new int[2]); // [0] failures in a row, [1] successes in a row
            s[ok ? 1 : 0]++;
            s[ok ? 0 : 1] = 0;
            eject = !ok && s[0] == settings.unhealthyThreshold() && !u.activeDown();
            if (eject) {
                u.activeDown(true);
            } else if (ok && s[1] >= settings.healthyThreshold() && u.activeDown()) {
                u.activeDown(false);
            }
        }
        if (eject) {
            events.ejected(u);
        }
    }

    private void readLoadQuietly() {
        try {
            readLoad().get(Math.max(1, settings.loadInterval().toMillis() * 4), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // a slow or broken metrics page only means stale load: the signal expires and in-flight counts stand in
        }
    }

    private void readCapacityQuietly() {
        try {
            readCapacity().get(settings.healthTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // an unanswered page leaves the limit as it was; the next round asks again
        }
    }

    private void checkHealthQuietly() {
        try {
            checkHealth().get(settings.healthTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // probes never fail; a timeout here means the next round will see the same deployments again
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
        if (shared != null) {
            shared.close();
        }
    }
}
