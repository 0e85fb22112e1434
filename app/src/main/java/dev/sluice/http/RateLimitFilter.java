package dev.sluice.http;

import dev.sluice.ratelimit.LimitGate;

import dev.sluice.config.GatewayConfig;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.GatewayMetrics;
import dev.sluice.observability.RequestRecord;
import dev.sluice.ratelimit.TokenBucketLimiter;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/** Per-caller token bucket: per API key when auth is on, per client address when it is off. */
@ServerFilter("/v1/**")
@Order(-150)
public final class RateLimitFilter {
    private static final String DECISION = "sluice.ratelimit";

    private final TokenBucketLimiter limiter;
    private final ClientAddress clientAddress;
    private final GatewayMetrics metrics;
    private final boolean enabled;

    private final LimitGate gate;

    RateLimitFilter(GatewayConfig config, GatewayMetrics metrics, LimitGate gate) {
        this.gate = gate;
        this.enabled = config.rateLimitEnabled();
        this.limiter = new TokenBucketLimiter(config.rateLimitRpm(), config.rateLimitBurst());
        this.clientAddress = new ClientAddress(config.trustedProxies());
        this.metrics = metrics;
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> limit(HttpRequest<?> request) {
        if (!enabled || request.getMethod() == HttpMethod.OPTIONS) {
            return null;
        }
        RequestRecord record = Attributes.record(request);
        if (record != null && gate.handlesRequestLimit(record.principal())) {
            return null; // shared through Redis, or a named key with its own rpm: LimitGate decides
        }
        String caller = record != null && record.principal() != null ? "key:" + record.principal()
                : "ip:" + clientAddress.resolve(request.getRemoteAddress(), request.getHeaders().get("X-Forwarded-For"));
        TokenBucketLimiter.Decision d = limiter.tryAcquire(caller);
        request.setAttribute(DECISION, d);
        if (d.allowed()) {
            return null;
        }
        metrics.rateLimited();
        // the response filter below does not see a response this filter short-circuits: set the headers here
        return ErrorResponses.of(request, GatewayException.of(ErrorKind.RATE_LIMITED, "rate limit exceeded: "
                + d.limit() + " requests per minute for this " + (caller.startsWith("key:") ? "API key" : "client")
                + "; retry after " + d.retryAfterSeconds() + " s")
                .withHeader("Retry-After", Long.toString(d.retryAfterSeconds()))
                .withHeader("x-ratelimit-limit-requests", Long.toString(d.limit()))
                .withHeader("x-ratelimit-remaining-requests", "0"));
    }

    @ResponseFilter
    void headers(HttpRequest<?> request, MutableHttpResponse<?> response) {
        request.getAttribute(DECISION, TokenBucketLimiter.Decision.class).ifPresent(d -> {
            response.header("x-ratelimit-limit-requests", Long.toString(d.limit()));
            response.header("x-ratelimit-remaining-requests", Long.toString(d.remaining()));
        });
    }
}
