package dev.sluice;

import dev.sluice.observability.Tracing;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.core.annotation.Nullable;
import io.opentelemetry.api.OpenTelemetry;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry tracing: an {@link OpenTelemetry} bean when one is given (tests give one with an in-memory
 * exporter), else the SDK from the standard {@code OTEL_*} variables, which read the process environment as the
 * SDK itself does; off when they ask for no exporter (docs/OPERATIONS.md#tracing-opentelemetry).
 */
@Factory
final class TracingBeans {
    private static final Logger LOG = LoggerFactory.getLogger(TracingBeans.class);

    @Singleton
    @Bean(preDestroy = "close")
    Tracing tracing(@Nullable OpenTelemetry given) {
        Tracing tracing = given != null ? Tracing.of(given) : Tracing.fromEnvironment(System::getenv);
        if (tracing.enabled()) {
            LOG.info("OpenTelemetry tracing on: spans and gen_ai metrics are exported as the OTEL_* variables say");
        }
        return tracing;
    }
}
