package dev.sluice.http;

import dev.sluice.config.GatewayConfig;
import dev.sluice.observability.RequestRecord;
import dev.sluice.ratelimit.LimitGate;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.FilterContinuation;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * The caller's request limit on every /v1 request, per API key when auth is on, per client address when it is off,
 * decided by {@link LimitGate#checkCaller} with Redis or without: listing models and counting tokens cost the
 * backends (and the limiter) like any other request, so they count like any other request.
 */
@ServerFilter("/v1/**")
@Order(-150)
public final class RateLimitFilter {
    private final ClientAddress clientAddress;
    private final LimitGate gate;

    RateLimitFilter(GatewayConfig config, LimitGate gate) {
        this.gate = gate;
        this.clientAddress = new ClientAddress(config.trustedProxies());
    }

    /** A continuation, not a nullable return: the decision may wait for Redis, and a future cannot carry "go on". */
    @RequestFilter
    Publisher<MutableHttpResponse<?>> limit(HttpRequest<?> request,
            FilterContinuation<Publisher<MutableHttpResponse<?>>> chain) {
        if (request.getMethod() == HttpMethod.OPTIONS) {
            return chain.proceed();
        }
        RequestRecord record = Attributes.record(request);
        String principal = record == null ? null : record.principal();
        CompletableFuture<LimitGate.CallerDecision> d = gate.checkCaller(principal, principal != null ? null
                : clientAddress.resolve(request.getRemoteAddress(), request.getHeaders().get("X-Forwarded-For")),
                ErrorResponses.dialect(request));
        if (d == null) {
            return chain.proceed();
        }
        // a Redis decision completes on Redis' client thread: continue on the connection's event loop
        return Mono.fromFuture(d.thenApplyAsync(decision -> decision, Replies.loop(request))).flatMap(decision -> {
            if (decision.refusal() != null) {
                return Mono.just(ErrorResponses.of(request, decision.refusal()));
            }
            return Mono.from(chain.proceed()).map(response -> withHeaders(response, decision.headers()));
        });
    }

    /** Where the gate set a model's limit headers, those stand. */
    private static MutableHttpResponse<?> withHeaders(MutableHttpResponse<?> response, Map<String, String> headers) {
        headers.forEach((k, v) -> {
            if (!response.getHeaders().contains(k)) {
                response.header(k, v);
            }
        });
        return response;
    }
}
