package dev.sluice.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The span of one traced request, made by {@link Tracing#start}, and the attempts under it. Ends when the
 * request is reported: for a stream, when the stream has ended, not when its head went out. Attributes are
 * names, models, counts and reasons, never prompt text or a key.
 */
public final class RequestTrace {
    private static final AttributeKey<List<String>> FINISH_REASONS = AttributeKey.stringArrayKey(GenAi.FINISH_REASONS);

    private final Tracing tracing;
    private final Span span;
    private final RequestRecord record;
    private volatile AttemptTrace current;
    private volatile String responseModel;
    private volatile List<String> finishReasons = List.of();

    RequestTrace(Tracing tracing, Span span, RequestRecord record) {
        this.tracing = tracing;
        this.span = span;
        this.record = record;
    }

    /** The request's span context, e.g. for a test that checks what the runtime received. */
    public Span span() {
        return span;
    }

    /**
     * Opens the span of an attempt at {@code deployment} and returns it with the headers that carry its context
     * upstream.
     *
     * @param provider the runtime kind, as {@code gen_ai.provider.name}
     * @param location the deployment's base URL (no credentials), for {@code server.address} and {@code server.port}
     * @param model the model name sent to the runtime
     */
    AttemptTrace attempt(String deployment, String provider, String location, String model) {
        String op = GenAi.operation(record.route());
        String operation = op == null ? "request" : op;
        var b = tracing.tracer.spanBuilder(model == null ? operation : operation + " " + model)
                .setParent(Context.root().with(span)).setSpanKind(SpanKind.CLIENT)
                .setAttribute(GenAi.OPERATION, operation)
                .setAttribute("sluice.deployment", deployment);
        if (model != null) {
            b.setAttribute(GenAi.REQUEST_MODEL, model);
        }
        if (provider != null) {
            b.setAttribute(GenAi.PROVIDER, provider).setAttribute(GenAi.SYSTEM, provider);
        }
        URI uri = location == null ? null : parse(location);
        if (uri != null && uri.getHost() != null) {
            b.setAttribute("server.address", uri.getHost());
            int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
            b.setAttribute(AttributeKey.longKey("server.port"), (long) port);
        }
        Span s = b.startSpan();
        Map<String, String> headers = new HashMap<>(4);
        tracing.propagator.inject(Context.root().with(s), headers, Map::put);
        AttemptTrace a = new AttemptTrace(this, s, Map.copyOf(headers));
        current = a;
        return a;
    }

    private static URI parse(String location) {
        try {
            return URI.create(location);
        } catch (IllegalArgumentException e) {
            return null; // the simulator's "sim" and the like: no server attributes
        }
    }

    /** What the runtime's answer said: the model that answered and why it stopped. */
    void response(String model, List<String> reasons) {
        this.responseModel = model;
        this.finishReasons = reasons == null ? List.of() : List.copyOf(reasons);
    }

    /** Puts what is known of the answer (model, usage, finish reasons) on {@code s}. */
    void describeResponse(Span s) {
        if (responseModel != null) {
            s.setAttribute(GenAi.RESPONSE_MODEL, responseModel);
        }
        if (record.tokensIn() >= 0) {
            s.setAttribute(AttributeKey.longKey(GenAi.INPUT_TOKENS), record.tokensIn());
            s.setAttribute(AttributeKey.longKey(GenAi.OUTPUT_TOKENS), Math.max(0, record.tokensOut()));
        }
        if (!finishReasons.isEmpty()) {
            s.setAttribute(FINISH_REASONS, finishReasons);
        }
    }

    /** Ends the attempt still open (a stream's) and then the request's span, and records the gen_ai metrics. */
    void end() {
        boolean ok = "ok".equals(record.outcome());
        AttemptTrace a = current;
        if (a != null && a.open()) {
            if (ok) {
                a.succeeded();
            } else {
                a.failed(record.outcome());
            }
        }
        String op = GenAi.operation(record.route());
        if (op != null) {
            span.setAttribute(GenAi.OPERATION, op);
            if (record.model() != null) {
                span.updateName(op + " " + record.model());
            }
        }
        if (record.model() != null) {
            span.setAttribute(GenAi.REQUEST_MODEL, record.model());
        }
        describeResponse(span);
        span.setAttribute(AttributeKey.longKey("http.response.status_code"), (long) record.status());
        span.setAttribute("sluice.request_id", record.requestId());
        if (record.backend() != null) {
            span.setAttribute("sluice.deployment", record.backend());
        }
        if (record.streaming()) {
            span.setAttribute(AttributeKey.booleanKey("sluice.stream"), true);
        }
        if (!ok || record.status() >= 400) {
            span.setAttribute("error.type", ok ? Integer.toString(record.status()) : record.outcome());
        }
        if (!ok || record.status() >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
        tracing.recordMetrics(record, op);
    }
}
