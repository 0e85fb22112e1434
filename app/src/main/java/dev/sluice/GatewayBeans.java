package dev.sluice;

import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.backend.Backend;
import dev.sluice.backend.BackendHealth;
import dev.sluice.backend.BackendProfile;
import dev.sluice.backend.HttpBackend;
import dev.sluice.backend.SimBackend;
import dev.sluice.config.BackendKind;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.GatewayConfig;
import dev.sluice.observability.GatewayMetrics;
import dev.sluice.routing.Dispatcher;
import dev.sluice.routing.Timeouts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.util.Locale;

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
    BackendHealth backendHealth(Backend backend) {
        return new BackendHealth(backend);
    }

    @Singleton
    GatewayMetrics metrics(MeterRegistry registry, GatewayConfig config) {
        return new GatewayMetrics(registry, config.hasModelName() ? config.modelName() : null);
    }

    @Singleton
    ApiKeyAuthenticator authenticator(GatewayConfig config) {
        return new ApiKeyAuthenticator(config.apiKeys());
    }

    @Singleton
    Dispatcher dispatcher(Backend backend, GatewayConfig config, GatewayMetrics metrics) {
        Timeouts timeouts = new Timeouts(config.firstByteTimeout(), config.idleTimeout(), config.requestTimeout(),
                config.keepAliveInterval());
        return new Dispatcher(backend, timeouts, config.backendApiKey(),
                e -> metrics.backendError(e.kind().name().toLowerCase(Locale.ROOT)));
    }
}
