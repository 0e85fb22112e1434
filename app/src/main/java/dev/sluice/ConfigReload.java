package dev.sluice;

import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.budget.BudgetGate;
import dev.sluice.config.AuthSettings;
import dev.sluice.config.FileConfig;
import dev.sluice.config.GatewayConfig;
import dev.sluice.config.Precedence;
import dev.sluice.config.env.ConfigLoader;
import dev.sluice.config.env.EnvSettings;
import dev.sluice.config.file.FileConfigLoader;
import dev.sluice.observability.GatewayMetrics;
import dev.sluice.ratelimit.LimitGate;
import dev.sluice.routing.Pool;
import dev.sluice.routing.Router;
import dev.sluice.routing.RouterHealth;
import dev.sluice.routing.Upstream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.env.Environment;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a changed config file without a restart (docs/OPERATIONS.md, "Reload the config file"): on SIGHUP and when
 * the file's content changes (checked every CONFIG_WATCH_MS). The new file is validated as at start; an invalid one
 * keeps the last good configuration, is logged with the loader's problems (which never quote a secret) and counted
 * in {@code sluice_config_reloads_total{result="invalid"}}.
 *
 * <p>A valid file is built into a new {@link Router} and a new key table, which the live router, authenticator and
 * limit gate adopt, each in one write; a request reads them as it passes (the route, with its pools and fallbacks,
 * once), so a request in flight finishes on the deployments it started with. The pools no longer routed to are
 * closed once every request that could still use them has hit REQUEST_TIMEOUT_S.
 */
@Context
public final class ConfigReload implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigReload.class);

    /** What a reload did, the {@code result} label of {@code sluice_config_reloads_total}. */
    public enum Result {
        APPLIED, INVALID, UNCHANGED, NO_FILE;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Path file;
    private final Function<String, String> variables;
    private final GatewayConfig config;
    private final AuthSettings authSettings;
    private final Router router;
    private final ApiKeyAuthenticator authenticator;
    private final LimitGate limits;
    private final BudgetGate budgets;
    private final Router.RouteEvents events;
    private final GatewayMetrics metrics;
    private final MeterRegistry registry;
    private final Map<Result, Counter> counters = new ConcurrentHashMap<>();
    private final ScheduledExecutorService executor;
    private final Object signalRestore;
    private volatile FileConfig current;
    private volatile RouterHealth health;
    private String lastHash;
    /** Pools a reload took out of routing whose backends are not closed yet. */
    private final List<List<Pool>> retired = new java.util.concurrent.CopyOnWriteArrayList<>();

    ConfigReload(Environment env, GatewayConfig config, FileConfig initial, AuthSettings authSettings, Router router,
            RouterHealth health, ApiKeyAuthenticator authenticator, LimitGate limits, BudgetGate budgets,
            GatewayMetrics metrics, MeterRegistry registry) {
        this.file = FileConfigBeans.file(env);
        this.variables = FileConfigBeans.variables(env);
        this.config = config;
        this.authSettings = authSettings;
        this.router = router;
        this.health = health;
        this.authenticator = authenticator;
        this.limits = limits;
        this.budgets = budgets;
        this.events = GatewayBeans.events(metrics);
        this.metrics = metrics;
        this.registry = registry;
        this.current = initial;
        for (Result r : Result.values()) {
            counters.put(r, Counter.builder("sluice.config.reloads").description("Config reloads by result")
                    .tag("result", r.label()).register(registry));
        }
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-config-reload");
            t.setDaemon(true);
            return t;
        });
        if (file != null) {
            lastHash = hash(read(file));
            Duration every = EnvSettings.configWatch(name -> env.getProperty(
                    name.toLowerCase(Locale.ROOT).replace('_', '.'), String.class).orElse(null));
            if (!every.isZero()) {
                executor.scheduleWithFixedDelay(() -> reload(false), every.toMillis(), every.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
        this.signalRestore = Hangup.install(() -> executor.execute(() -> reload(true)));
    }

    /** Readiness of the deployments in force now: /readyz and /health read it per request. */
    public RouterHealth health() {
        return health;
    }

    /** The configuration in force now. */
    public FileConfig current() {
        return current;
    }

    /**
     * Reads the file and applies it if it changed and is valid.
     *
     * @param explicit a SIGHUP (or a test): an unchanged file is counted as {@code unchanged}; the watch only acts
     *     on a change
     */
    public synchronized Result reload(boolean explicit) {
        if (file == null) {
            if (explicit) {
                LOG.info("config reload: there is no config file (the environment alone configures the gateway)");
                return count(Result.NO_FILE);
            }
            return Result.NO_FILE;
        }
        byte[] bytes;
        try {
            bytes = read(file);
        } catch (IllegalStateException e) {
            // a file being replaced may be missing for a moment; the watch sees it again on its next look
            return explicit ? invalid(List.of(e.getMessage())) : Result.UNCHANGED;
        }
        String hash = hash(bytes);
        if (hash.equals(lastHash)) {
            return explicit ? count(Result.UNCHANGED) : Result.UNCHANGED;
        }
        lastHash = hash; // an invalid file is reported once, not on every look
        FileConfigLoader.Result checked = FileConfigLoader.check(new String(bytes, StandardCharsets.UTF_8), variables);
        if (!checked.ok()) {
            return invalid(checked.errors());
        }
        FileConfig next = Precedence.apply(checked.config(), variables);
        FileConfig before = current;
        ApiKeyAuthenticator keys = SecurityBeans.authenticatorFor(config, next, authSettings);
        if (keys.enabled() != authenticator.enabled()) {
            // the host guard and the throttles were set up for one or the other; a typo must not open the gateway
            return invalid(List.of("the new file would turn client authentication " + (keys.enabled() ? "on" : "off")
                    + "; that needs a restart"));
        }
        Router next1;
        try {
            next1 = GatewayBeans.router(config, next, events);
        } catch (RuntimeException e) {
            return invalid(List.of("cannot build the deployments: " + e.getClass().getSimpleName()));
        }
        authenticator.replaceWith(keys);
        limits.reload(next);
        budgets.reload(next);
        metrics.addKnownModels(next.aliases().stream().filter(a -> !a.contains("*")).toList());
        List<Pool> retired = router.replaceWith(next1);
        health = new RouterHealth(router);
        current = next;
        closeLater(retired);
        if (!next.redis().equals(before.redis()) || !next.caches().equals(before.caches())) {
            LOG.warn("config reload: redis_* and cache settings take effect at the next restart; the rest is applied");
        }
        LOG.info("config reloaded from {}: {}; {} keys", file, next.summary(), next.keys().size());
        return count(Result.APPLIED);
    }

    private Result invalid(List<String> problems) {
        LOG.warn("config reload from {} refused, the last good config stays in force: {}", file,
                String.join("; ", problems));
        return count(Result.INVALID);
    }

    private Result count(Result r) {
        counters.get(r).increment();
        return r;
    }

    /** After the longest a request may run, nothing routed before the reload can still use these backends. */
    private void closeLater(List<Pool> pools) {
        retired.add(pools);
        long delayMs = config.requestTimeout().toMillis() + 5_000;
        executor.schedule(() -> closeNow(pools), delayMs, TimeUnit.MILLISECONDS);
    }

    private void closeNow(List<Pool> pools) {
        if (!retired.remove(pools)) {
            return;
        }
        for (Pool p : pools) {
            for (Upstream u : p.upstreams()) {
                u.backend().close();
            }
        }
    }

    @PreDestroy
    @Override
    public void close() {
        Hangup.restore(signalRestore);
        executor.shutdownNow(); // the router closes the live pools; the retired ones are closed here
        retired.forEach(this::closeNow);
        counters.values().forEach(registry::remove);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException(file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static String hash(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
