package dev.sluice;

import dev.sluice.backend.WireDialect;

import dev.sluice.backend.Backend;
import dev.sluice.backend.BackendProfile;
import dev.sluice.backend.HttpBackend;
import dev.sluice.backend.SimBackend;
import dev.sluice.backend.BackendKind;
import dev.sluice.config.env.ConfigLoader;
import dev.sluice.config.Deployment;
import dev.sluice.config.FileConfig;
import dev.sluice.config.GatewayConfig;
import dev.sluice.config.GeneralSettings;
import dev.sluice.backend.Provider;
import dev.sluice.config.RoutingStrategy;
import dev.sluice.observability.GatewayMetrics;
import dev.sluice.endpoint.Exchange;
import dev.sluice.endpoint.ModelList;
import dev.sluice.routing.Admission;
import dev.sluice.routing.Dispatcher;
import dev.sluice.routing.LoadMonitor;
import dev.sluice.routing.Pool;
import dev.sluice.routing.RetryBudget;
import dev.sluice.routing.RetryPolicy;
import dev.sluice.routing.Router;
import dev.sluice.routing.RouterHealth;
import dev.sluice.routing.SharedEjections;
import dev.sluice.routing.SharedLoad;
import dev.sluice.routing.Upstream;
import dev.sluice.routing.Timeouts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Wires the gateway from its configuration. */
@Factory
public class GatewayBeans {
    /** The Messages API version sent to the real Anthropic API. */
    static final String ANTHROPIC_VERSION = "2023-06-01";

    /**
     * Variables are looked up the way Micronaut exposes the environment ({@code API_PORT} as {@code api.port}),
     * so tests can set them as plain properties.
     */
    @Singleton
    GatewayConfig config(Environment env) {
        return ConfigLoader.load(name -> env.getProperty(name.toLowerCase(Locale.ROOT).replace('_', '.'), String.class)
                .orElse(null));
    }

    @Singleton
    GatewayMetrics metrics(MeterRegistry registry, GatewayConfig config, FileConfig file) {
        List<String> known = file.aliases().stream().filter(a -> !a.contains("*")).toList();
        return new GatewayMetrics(registry, known);
    }

    /**
     * Pools from the config file, or, with environment variables alone, one implicit deployment: alias
     * MODEL_NAME (with MODEL_ALIASES), or any model name when MODEL_NAME is empty.
     */
    @Singleton
    @Bean(preDestroy = "close")
    Router router(GatewayConfig config, FileConfig file, GatewayMetrics metrics) {
        return router(config, file, events(metrics));
    }

    /** The router of one configuration: at start, and again from the new file on each config reload. */
    static Router router(GatewayConfig config, FileConfig file, Router.RouteEvents events) {
        boolean envOnly = file.equals(FileConfig.fromEnv(config));
        GeneralSettings g = file.general();
        List<Pool> pools = new ArrayList<>();
        Map<String, List<String>> aliases = new HashMap<>();
        for (var pool : file.pools().entrySet()) {
            List<Upstream> upstreams = new ArrayList<>();
            for (Deployment d : pool.getValue()) {
                if (d.weight() <= 0) {
                    continue; // weight 0: configured but taking no traffic
                }
                String id = envOnly ? config.backendKind().id() : d.id();
                upstreams.add(new Upstream(id, d.alias(), backendFor(d, config), d.upstreamModel(), d.weight(),
                        g.allowedFails(), g.cooldown(), d.timeout(), d.extraParams(), d.apiKey(), d.maxConcurrency()));
            }
            Pool.Strategy strategy = poolStrategy(g.balancing().strategyFor(pool.getKey(), g.routingStrategy()));
            pools.add(new Pool(pool.getKey(), upstreams, strategy, g.balancing().affinitySpill(),
                    new Admission.Settings(g.balancing().queueSize(), g.balancing().queueTimeout())));
        }
        if (envOnly) {
            aliases.put(pools.get(0).alias(), config.modelAliases());
        }
        RetryPolicy policy = new RetryPolicy(envOnly ? config.numRetries() : g.numRetries(), g.retryBackoffBase(),
                g.retryBackoffMax(), g.retryAfterCap());
        return new Router(pools, aliases, g.fallbacks(), policy, new RetryBudget(g.retryBudgetRatio(), 3), events);
    }

    static Pool.Strategy poolStrategy(RoutingStrategy s) {
        return switch (s) {
            case WEIGHTED -> Pool.Strategy.WEIGHTED;
            case LEAST_IN_FLIGHT -> Pool.Strategy.LEAST_IN_FLIGHT;
            case LEAST_LOADED -> Pool.Strategy.LEAST_LOADED;
            case PREFIX_AFFINITY -> Pool.Strategy.PREFIX_AFFINITY;
        };
    }

    /** Reads the runtimes' load for load-aware pools and runs active health checks (docs/ROUTING.md). */
    @io.micronaut.context.annotation.Context
    @Bean(preDestroy = "close")
    LoadMonitor loadMonitor(Router router, FileConfig file, GatewayMetrics metrics, SharedEjectionsHolder sharing,
            dev.sluice.config.RedisSettings redis) {
        dev.sluice.config.Balancing b = file.general().balancing();
        SharedLoad shared = redis.enabled() ? new SharedLoad(redis.url(), sharedTimeout(redis)) : null;
        return new LoadMonitor(router, new LoadMonitor.Settings(b.loadPollInterval(), b.healthCheckInterval(),
                b.healthCheckTimeout(), b.unhealthyThreshold(), b.healthyThreshold()), events(metrics, sharing),
                shared).start();
    }

    /** What replicas share besides the limits waits at least 200 ms for Redis: it is read off the request path. */
    private static Duration sharedTimeout(dev.sluice.config.RedisSettings redis) {
        return redis.timeout().compareTo(Duration.ofMillis(200)) < 0 ? Duration.ofMillis(200) : redis.timeout();
    }

    static SimBackend simBackend(GatewayConfig config) {
        return new SimBackend(config.sim(), config.hasModelName() ? config.modelName() : "sim", config.backendKind());
    }

    /** One backend per deployment, speaking its provider's dialect. */
    static Backend backendFor(Deployment d, GatewayConfig config) {
        BackendProfile profile = BackendProfile.of(d.provider());
        if (d.provider() == Provider.OPENAI || d.nativeResponses()) {
            profile = profile.withNativeResponses(); // OpenAI's own API, or a runtime marked responses_api: native
        }
        return switch (d.provider().dialect()) {
            case OPENAI -> d.provider() == Provider.SIM ? simBackend(config)
                    : new HttpBackend(d.apiBase(), d.apiKey(), "authorization", config.connectTimeout(), profile,
                            UnaryOperator.identity());
            // Azure names the deployment and API version in the path and takes the key in api-key
            case AZURE -> new HttpBackend(d.apiBase(), d.apiKey(), "api-key", config.connectTimeout(), profile,
                    op -> Provider.azurePath(d.upstreamModel(), op.startsWith("/") ? op.substring(1) : op,
                            d.apiVersion()));
            // the real Anthropic API: bare key in x-api-key, anthropic-version on every request, {api_base}/v1/...
            case ANTHROPIC -> new HttpBackend(d.apiBase(), d.apiKey(), "x-api-key", config.connectTimeout(),
                    BackendProfile.anthropic(), op -> "/v1" + (op.startsWith("/") ? op : "/" + op),
                    Map.of("anthropic-version", ANTHROPIC_VERSION), WireDialect.ANTHROPIC);
        };
    }

    /** Ejections shared between replicas through Redis when REDIS_URL is set (issue 5), else a no-op. */
    @Singleton
    @Bean(preDestroy = "close")
    SharedEjectionsHolder sharedEjections(dev.sluice.config.RedisSettings redis, Router router) {
        if (!redis.enabled()) {
            return new SharedEjectionsHolder(null);
        }
        return new SharedEjectionsHolder(new SharedEjections(redis.url(), sharedTimeout(redis), router,
                Duration.ofSeconds(1)));
    }

    /** Holds the optional {@link SharedEjections}; Micronaut beans cannot be null. */
    public record SharedEjectionsHolder(SharedEjections shared) implements AutoCloseable {
        void ejected(Upstream u) {
            if (shared != null) {
                shared.ejected(u);
            }
        }

        @Override
        public void close() {
            if (shared != null) {
                shared.close();
            }
        }
    }

    static Router.RouteEvents events(GatewayMetrics metrics) {
        return events(metrics, new SharedEjectionsHolder(null));
    }

    static Router.RouteEvents events(GatewayMetrics metrics, SharedEjectionsHolder sharing) {
        return new Router.RouteEvents() {
            @Override
            public void attempt(Upstream u) {
                metrics.upstreamAttempt(u.id());
            }

            @Override
            public void chosen(String alias, String deployment, Pool.Strategy strategy) {
                metrics.routeChoice(alias, deployment, strategy.name().toLowerCase(Locale.ROOT));
            }

            @Override
            public void retry(String alias) {
                metrics.upstreamRetry(alias);
            }

            @Override
            public void fallback(String alias) {
                metrics.upstreamFallback(alias);
            }

            @Override
            public void ejected(Upstream u) {
                metrics.upstreamEjected(u.id());
                sharing.ejected(u);
            }

            @Override
            public void admission(String alias, String caller, Router.AdmissionOutcome outcome, long waitNanos) {
                metrics.admission(alias, caller, outcome.name().toLowerCase(Locale.ROOT), waitNanos);
            }

            @Override
            public void queueDepth(String alias, int delta) {
                metrics.queueDepth(alias, delta);
            }
        };
    }

    @Singleton
    RouterHealth routerHealth(Router router) {
        return new RouterHealth(router);
    }

    @Singleton
    Dispatcher dispatcher(Router router, GatewayConfig config, GatewayMetrics metrics,
            SharedEjectionsHolder sharing, io.micronaut.context.env.Environment env) {
        Timeouts timeouts = new Timeouts(config.firstByteTimeout(), config.idleTimeout(), config.requestTimeout(),
                config.keepAliveInterval());
        return new Dispatcher(router, timeouts, config.backendApiKey(),
                e -> metrics.backendError(e.kind().name().toLowerCase(Locale.ROOT)), events(metrics, sharing),
                config.sseMaxEventBytes(), dev.sluice.config.env.EnvSettings.maxUpstreamBodyBytes(
                        name -> env.getProperty(name.toLowerCase(Locale.ROOT).replace('_', '.'), String.class)
                                .orElse(null)));
    }

    @Singleton
    Exchange exchange(Dispatcher dispatcher, GatewayMetrics metrics) {
        return new Exchange(dispatcher, metrics);
    }

    @Singleton
    ModelList modelList(Dispatcher dispatcher, GatewayConfig config) {
        return new ModelList(dispatcher, config.hasModelName() ? config.modelName() : null);
    }
}
