package dev.sluice.observability;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry GenAI metrics on the Prometheus page, beside the {@code sluice_*} ones, always on: Micrometer
 * histograms named as the semantic conventions name them, with their advised buckets. Prometheus sees
 * {@code gen_ai_client_token_usage}, {@code gen_ai_server_time_to_first_token_seconds} and
 * {@code gen_ai_server_request_duration_seconds}. Only requests that ran a model (a GenAI operation) count.
 */
final class GenAiMetrics {
    private static final double[] TOKEN_BUCKETS = Tracing.TOKEN_BUCKETS.stream().mapToDouble(Long::doubleValue).toArray();
    private static final Duration[] TTFT_BUCKETS = seconds(Tracing.TTFT_BUCKETS);
    private static final Duration[] DURATION_BUCKETS = seconds(Tracing.DURATION_BUCKETS);

    private final MeterRegistry registry;
    private final MeterCache meters = new MeterCache();

    GenAiMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private static Duration[] seconds(List<Double> s) {
        return s.stream().map(v -> Duration.ofNanos(Math.round(v * 1e9))).toArray(Duration[]::new);
    }

    /** @param model the bounded model label GatewayMetrics already chose */
    void record(RequestRecord r, String model) {
        String operation = GenAi.operation(r.route());
        if (operation == null || r.model() == null) {
            return;
        }
        String error = "ok".equals(r.outcome()) ? "none" : r.outcome();
        meters.<Timer>get(new Key("duration", operation, model, error), () -> Timer.builder("gen_ai.server.request.duration")
                .description("GenAI request duration (OpenTelemetry semconv)").tags(tags(operation, model)).tag("error.type", error)
                .serviceLevelObjectives(DURATION_BUCKETS).register(registry))
                .record(r.durationNanos(), TimeUnit.NANOSECONDS);
        if (r.ttftNanos() >= 0) {
            meters.<Timer>get(new Key("ttft", operation, model, ""), () -> Timer.builder("gen_ai.server.time_to_first_token")
                    .description("GenAI time to first token (OpenTelemetry semconv)").tags(tags(operation, model))
                    .serviceLevelObjectives(TTFT_BUCKETS).register(registry))
                    .record(r.ttftNanos(), TimeUnit.NANOSECONDS);
        }
        if (r.tokensIn() >= 0) {
            tokens(operation, model, "input").record(r.tokensIn());
            tokens(operation, model, "output").record(Math.max(0, r.tokensOut()));
        }
    }

    private DistributionSummary tokens(String operation, String model, String type) {
        return meters.get(new Key("tokens", operation, model, type),
                () -> DistributionSummary.builder("gen_ai.client.token.usage")
                        .description("GenAI tokens per request, by type (OpenTelemetry semconv)")
                        .tags(tags(operation, model)).tag(GenAi.TOKEN_TYPE, type).serviceLevelObjectives(TOKEN_BUCKETS)
                        .register(registry));
    }

    private static Tags tags(String operation, String model) {
        return Tags.of(GenAi.OPERATION, operation, GenAi.REQUEST_MODEL, model);
    }

    private record Key(String meter, String operation, String model, String extra) {}
}
