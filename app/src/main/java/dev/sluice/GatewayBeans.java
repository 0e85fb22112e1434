package dev.sluice;

import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.backend.Backend;
import dev.sluice.backend.BackendProfile;
import dev.sluice.backend.HttpBackend;
import dev.sluice.backend.SimBackend;
import dev.sluice.config.BackendKind;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.GatewayConfig;
import dev.sluice.observability.GatewayMetrics;
import dev.sluice.routing.Dispatcher;
import dev.sluice.routing.Pool;
import dev.sluice.routing.RetryBudget;
import dev.sluice.routing.RetryPolicy;
import dev.sluice.routing.Router;
import dev.sluice.routing.RouterHealth;
import dev.sluice.routing.Upstream;
import dev.sluice.routing.Timeouts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Wires the gateway from its configuration. */
@Factory
public class GatewayBeans {

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
    @Bean(preDestroy = "close")
    Backend backend(GatewayConfig config) {
        if (config.backendKind() == BackendKind.SIM) {
            return new SimBackend(config);
        }
        return new HttpBackend(config, BackendProfile.of(config.backendKind()));
    }

    @Singleton
    GatewayMetrics metrics(MeterRegistry registry, GatewayConfig config) {
        return new GatewayMetrics(registry, config.hasModelName() ? config.modelName() : null);
    }

    @Singleton
    ApiKeyAuthenticator authenticator(GatewayConfig config) {
        return new ApiKeyAuthenticator(config.apiKeys());
    }

    /**
     * The environment-only configuration is one implicit deployment: alias MODEL_NAME (with MODEL_ALIASES),
     * or any model name when MODEL_NAME is empty.
     */
    @Singleton
    Router router(GatewayConfig config, Backend backend, GatewayMetrics metrics) {
        String alias = config.hasModelName() ? config.modelName() : "*";
        Upstream upstream = new Upstream(config.backendKind().id(), alias, backend,
                config.hasModelName() ? config.modelName() : null, 1, 3, Duration.ofSeconds(30));
        Pool pool = new Pool(alias, List.of(upstream), Pool.Strategy.WEIGHTED);
        RetryPolicy policy = new RetryPolicy(config.numRetries(), Duration.ofMillis(25), Duration.ofMillis(250),
                Duration.ofSeconds(10));
        return new Router(List.of(pool), Map.of(alias, config.modelAliases()), Map.of(), policy,
                new RetryBudget(0.2, 3), events(metrics));
    }

    static Router.RouteEvents events(GatewayMetrics metrics) {
        return new Router.RouteEvents() {
            @Override
            public void attempt(Upstream u) {
                metrics.upstreamAttempt(u.id());
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
            }
        };
    }

    @Singleton
    RouterHealth routerHealth(Router router) {
        return new RouterHealth(router);
    }

    @Singleton
    Dispatcher dispatcher(Router router, GatewayConfig config, GatewayMetrics metrics) {
        Timeouts timeouts = new Timeouts(config.firstByteTimeout(), config.idleTimeout(), config.requestTimeout(),
                config.keepAliveInterval());
        return new Dispatcher(router, timeouts, config.backendApiKey(),
                e -> metrics.backendError(e.kind().name().toLowerCase(Locale.ROOT)), events(metrics));
    }
}
