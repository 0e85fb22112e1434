package dev.sluice.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The span of one upstream attempt, a child of the request's span, and the headers that carry its context to
 * the runtime. {@link #NONE} when tracing is off, so an untraced attempt allocates nothing.
 */
public final class AttemptTrace {
    public static final AttemptTrace NONE = new AttemptTrace(null, null, Map.of());

    private final RequestTrace request;
    private final Span span;
    private final Map<String, String> headers;
    private final AtomicBoolean ended = new AtomicBoolean();

    AttemptTrace(RequestTrace request, Span span, Map<String, String> headers) {
        this.request = request;
        this.span = span;
        this.headers = headers;
    }

    /** {@code traceparent} (and {@code tracestate} when there is one) for the upstream request; empty when off. */
    public Map<String, String> headers() {
        return headers;
    }

    /**
     * The attempt answered. Called after the answer has been read into the request record, so the usage, response
     * model and finish reasons known by then go on this span too.
     */
    public void succeeded() {
        if (span == null || !ended.compareAndSet(false, true)) {
            return;
        }
        request.describeResponse(span);
        span.end();
    }

    /** The attempt failed; {@code errorType} is a bounded reason (the failure's cause), never a message. */
    public void failed(String errorType) {
        if (span == null || !ended.compareAndSet(false, true)) {
            return;
        }
        span.setAttribute(AttributeKey.stringKey("error.type"), errorType);
        span.setStatus(StatusCode.ERROR);
        span.end();
    }

    boolean open() {
        return span != null && !ended.get();
    }
}
