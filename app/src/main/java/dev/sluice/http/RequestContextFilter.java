package dev.sluice.http;

import dev.sluice.config.GatewayConfig;
import dev.sluice.observability.AccessLog;
import dev.sluice.observability.GatewayMetrics;
import dev.sluice.observability.RequestRecord;
import dev.sluice.observability.Tracing;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.concurrent.ThreadLocalRandom;

/** Outermost filter: gives every request an id and a record, and reports the record when the response ends. */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Order(-300)
public final class RequestContextFilter {
    private static final String HEADER = "x-request-id";

    private final GatewayMetrics metrics;
    private final String backendKind;
    private final Tracing tracing;

    RequestContextFilter(GatewayMetrics metrics, GatewayConfig config, Tracing tracing) {
        this.metrics = metrics;
        this.tracing = tracing;
        this.backendKind = config.backendId();
    }

    @RequestFilter
    void onRequest(HttpRequest<?> request) {
        String id = sanitize(request.getHeaders().get(HEADER));
        RequestRecord record = new RequestRecord(id == null ? newId() : id, request.getMethodName(), this::report);
        record.route(Routes.template(request.getPath()));
        if (tracing.enabled()) {
            tracing.start(record, request.getHeaders().get("traceparent"), request.getHeaders().get("tracestate"));
        }
        request.setAttribute(Attributes.RECORD, record);
    }

    @ResponseFilter
    void onResponse(HttpRequest<?> request, MutableHttpResponse<?> response) {
        EventBody.direct(request, response);
        RequestRecord record = Attributes.record(request);
        if (record == null) {
            return;
        }
        response.header(HEADER, record.requestId());
        record.headSent(response.code());
    }

    private void report(RequestRecord r) {
        if (r.streaming()) {
            metrics.streamClosed();
        }
        metrics.record(r);
        AccessLog.write(r, backendKind);
    }

    /** Echo a caller's id only if it is short and plain: it goes into logs and headers. */
    private static String sanitize(String id) {
        if (id == null || id.isEmpty() || id.length() > 128) {
            return null;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-' && c != '_' && c != '.' && c != ':') {
                return null;
            }
        }
        return id;
    }

    private static String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "req_" + Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Long.toHexString(r.nextLong() | Long.MIN_VALUE);
    }
}
