package dev.sluice.observability;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per request, built from an allow-list of fields: nothing from the request body and no
 * header value but the request id can reach it. The principal is a key's name and fingerprint, never the key.
 */
public final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("sluice.access");

    private AccessLog() {}

    public static void write(RequestRecord r, String backendKind) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        List<Object> args = new ArrayList<>(12);
        args.add(kv("request_id", r.requestId()));
        args.add(kv("method", r.method()));
        args.add(kv("route", r.route()));
        args.add(kv("status", r.status()));
        args.add(kv("duration_ms", Math.round(r.durationNanos() / 1e4) / 100.0));
        if (r.model() != null) {
            args.add(kv("model", r.model()));
        }
        if (r.backend() != null) {
            args.add(kv("backend", r.backend()));
        }
        if (r.principal() != null) {
            args.add(kv("principal", r.principal()));
        }
        if (r.tokensIn() >= 0) {
            args.add(kv("tokens_in", r.tokensIn()));
            args.add(kv("tokens_out", r.tokensOut()));
        }
        if (r.ttftNanos() >= 0) {
            args.add(kv("ttft_ms", Math.round(r.ttftNanos() / 1e4) / 100.0));
        }
        if (r.streaming()) {
            args.add(kv("stream", true));
        }
        if (r.prompt() != null) {
            args.add(kv("prompt", r.prompt()));
        }
        if (!"ok".equals(r.outcome())) {
            args.add(kv("outcome", r.outcome()));
        }
        StringBuilder fmt = new StringBuilder("request");
        for (int i = 0; i < args.size(); i++) {
            fmt.append(" {}");
        }
        LOG.info(fmt.toString(), args.toArray());
    }
}
