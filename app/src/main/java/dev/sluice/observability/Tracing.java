package dev.sluice.observability;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * OpenTelemetry tracing of client requests and upstream attempts, and the GenAI metrics exported with it. Off
 * unless the standard variables ask for an exporter ({@link #wanted}); when off no span object is made and a
 * request pays one null check. The SDK reads every other {@code OTEL_*} variable itself.
 */
public final class Tracing implements AutoCloseable {
    private static final Tracing OFF = new Tracing(null, null, false);
    private static final String SCOPE = "dev.sluice";
    /** Bucket boundaries the GenAI semantic conventions advise for these three histograms. */
    static final List<Long> TOKEN_BUCKETS = List.of(1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L, 262144L,
            1048576L, 4194304L, 16777216L, 67108864L);
    static final List<Double> TTFT_BUCKETS = List.of(0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5,
            0.75, 1.0, 2.5, 5.0, 7.5, 10.0);
    static final List<Double> DURATION_BUCKETS = List.of(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12,
            10.24, 20.48, 40.96, 81.92);

    final Tracer tracer;
    final TextMapPropagator propagator;
    private final OpenTelemetry otel;
    private final boolean owned;
    private final LongHistogram tokenUsage;
    private final DoubleHistogram timeToFirstToken;
    private final DoubleHistogram duration;

    private Tracing(OpenTelemetry otel, Tracer tracer, boolean owned) {
        this.otel = otel;
        this.owned = owned;
        this.tracer = tracer;
        this.propagator = otel == null ? null : otel.getPropagators().getTextMapPropagator();
        if (otel == null) {
            tokenUsage = null;
            timeToFirstToken = null;
            duration = null;
            return;
        }
        Meter meter = otel.getMeter(SCOPE);
        tokenUsage = meter.histogramBuilder("gen_ai.client.token.usage").ofLongs().setUnit("{token}")
                .setDescription("Tokens used per request, by direction").setExplicitBucketBoundariesAdvice(TOKEN_BUCKETS)
                .build();
        timeToFirstToken = meter.histogramBuilder("gen_ai.server.time_to_first_token").setUnit("s")
                .setDescription("Time to the first streamed token").setExplicitBucketBoundariesAdvice(TTFT_BUCKETS)
                .build();
        duration = meter.histogramBuilder("gen_ai.server.request.duration").setUnit("s")
                .setDescription("Time from request to the end of the response")
                .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS).build();
    }

    public static Tracing off() {
        return OFF;
    }

    /** Tracing through a configured OpenTelemetry (tests pass one with an in-memory exporter). */
    public static Tracing of(OpenTelemetry otel) {
        return new Tracing(otel, otel.getTracer(SCOPE), false);
    }

    /**
     * From the standard variables: off unless {@link #wanted} says otherwise, else the SDK configured by its
     * autoconfiguration (exporter, endpoint, protocol, sampler, resource, propagators), named {@code sluice} unless
     * OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES names it, over OTLP/HTTP, with no OTel log export.
     */
    public static Tracing fromEnvironment(Function<String, String> env) {
        if (!wanted(env)) {
            return OFF;
        }
        OpenTelemetry sdk = AutoConfiguredOpenTelemetrySdk.builder()
                // defaults only, under the variables: OTLP over HTTP because the bundled sender is the JDK's
                // HttpClient (the Java SDK's own default, gRPC, would need OkHttp or grpc-java)
                .addPropertiesSupplier(() -> Map.of("otel.logs.exporter", "none",
                        "otel.exporter.otlp.protocol", "http/protobuf"))
                .addResourceCustomizer((resource, config) -> named(resource))
                .build().getOpenTelemetrySdk();
        return new Tracing(sdk, sdk.getTracer(SCOPE), true);
    }

    private static Resource named(Resource resource) {
        String name = resource.getAttribute(AttributeKey.stringKey("service.name"));
        if (name != null && !name.startsWith("unknown_service")) {
            return resource;
        }
        return resource.merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "sluice")));
    }

    /**
     * Whether the environment asks for tracing: OTEL_SDK_DISABLED is not {@code true}, and OTEL_TRACES_EXPORTER is
     * set to something other than {@code none}, or an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or
     * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set. Each is also read as its system property ({@code otel.sdk.disabled}).
     */
    public static boolean wanted(Function<String, String> env) {
        if ("true".equalsIgnoreCase(read(env, "OTEL_SDK_DISABLED"))) {
            return false;
        }
        String exporter = read(env, "OTEL_TRACES_EXPORTER");
        if (exporter != null) {
            return !"none".equalsIgnoreCase(exporter);
        }
        return read(env, "OTEL_EXPORTER_OTLP_ENDPOINT") != null || read(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != null;
    }

    private static String read(Function<String, String> env, String name) {
        String v = System.getProperty(name.toLowerCase(Locale.ROOT).replace('_', '.'));
        if (v == null || v.isBlank()) {
            v = env.apply(name);
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    public boolean enabled() {
        return tracer != null;
    }

    /**
     * Opens the span of a request to a {@code /v1/} route (probes and scrapes are not traced), as a child of the
     * caller's {@code traceparent} when it sent a valid one, and attaches it to the record.
     */
    public void start(RequestRecord record, String traceparent, String tracestate) {
        if (tracer == null || !record.route().startsWith("/v1/")) {
            return;
        }
        Context parent = traceparent == null ? Context.root()
                : propagator.extract(Context.root(), new String[] {traceparent, tracestate}, INCOMING);
        Span span = tracer.spanBuilder(record.method() + " " + record.route()).setParent(parent)
                .setSpanKind(SpanKind.SERVER).setAttribute("http.request.method", record.method())
                .setAttribute("http.route", record.route()).startSpan();
        record.trace(new RequestTrace(this, span, record));
    }

    /** The GenAI histograms for a generative request, exported with the traces. */
    void recordMetrics(RequestRecord r, String operation) {
        if (operation == null || r.model() == null) {
            return;
        }
        AttributesBuilder b = Attributes.builder().put(GenAi.OPERATION, operation)
                // the alias (from configuration) keeps the series bounded; a wildcard alias stays a pattern
                .put(GenAi.REQUEST_MODEL, r.alias() != null ? r.alias() : "other");
        if (!"ok".equals(r.outcome())) {
            b.put("error.type", r.outcome());
        }
        Attributes common = b.build();
        duration.record(r.durationNanos() / 1e9, common);
        if (r.ttftNanos() >= 0) {
            timeToFirstToken.record(r.ttftNanos() / 1e9, common);
        }
        if (r.tokensIn() >= 0) {
            tokenUsage.record(r.tokensIn(), common.toBuilder().put(GenAi.TOKEN_TYPE, "input").build());
            tokenUsage.record(Math.max(0, r.tokensOut()), common.toBuilder().put(GenAi.TOKEN_TYPE, "output").build());
        }
    }

    /** Flushes and stops the SDK this made from the environment. */
    @Override
    public void close() {
        if (owned && otel instanceof io.opentelemetry.sdk.OpenTelemetrySdk sdk) {
            sdk.close();
        }
    }

    /** Reads traceparent and tracestate, the only headers the W3C propagator asks for. */
    private static final TextMapGetter<String[]> INCOMING = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String[] carrier) {
            return List.of("traceparent", "tracestate");
        }

        @Override
        public String get(String[] carrier, String key) {
            if (carrier == null) {
                return null;
            }
            return switch (key) {
                case "traceparent" -> carrier[0];
                case "tracestate" -> carrier[1];
                default -> null;
            };
        }
    };
}
