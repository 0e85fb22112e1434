package dev.sluice.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.budget.BudgetGate;
import dev.sluice.config.NamedKey;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.RequestRecord;
import dev.sluice.protocol.ClientDialect;
import dev.sluice.ratelimit.LimitGate;
import dev.sluice.routing.Route;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The limits gate ({@link LimitGate}, a ratelimit policy) and the budget gate ({@link BudgetGate}) seen from a
 * controller: Micronaut requests in and out. A request passes the key's models and the rate limits first, then the
 * budgets; its spend is settled when it ends.
 */
@Singleton
final class HttpLimits {
    private final LimitGate gate;
    private final BudgetGate budgets;

    HttpLimits(LimitGate gate, BudgetGate budgets) {
        this.gate = gate;
        this.budgets = budgets;
    }

    /**
     * Runs {@code dispatch} when the request is admitted; otherwise frees the route and answers 403, 429 or 503. The
     * route learns who is asking: the key's name and priority order its turn should its pool be full.
     */
    CompletableFuture<MutableHttpResponse<?>> admit(HttpRequest<?> request, RequestRecord record, Route route,
            JsonNode json, int bodyLength, Supplier<CompletableFuture<MutableHttpResponse<?>>> dispatch) {
        NamedKey key = Attributes.key(request);
        route.caller(record != null && record.principal() != null ? record.principal() : "",
                key == null ? 0 : key.priority());
        Caller caller = new Caller(request);
        String alias = route.pool().alias();
        return gate.admit(caller, record, alias, route::finish, json, bodyLength,
                () -> budgeted(caller, record, alias, route, bodyLength, dispatch));
    }

    private CompletableFuture<MutableHttpResponse<?>> budgeted(Caller caller, RequestRecord record, String alias,
            Route route, int bodyLength, Supplier<CompletableFuture<MutableHttpResponse<?>>> dispatch) {
        CompletableFuture<BudgetGate.Decision> decided = budgets.admit(record == null ? null : record.principal(),
                caller.key(), alias);
        Function<BudgetGate.Decision, CompletableFuture<MutableHttpResponse<?>>> next = d -> {
            if (d.refusal() != null) {
                route.finish();
                return CompletableFuture.completedFuture(caller.refuse(d.refusal()));
            }
            if (record != null) {
                record.onEnd(() -> budgets.settle(record, bodyLength));
            }
            return dispatch.get().thenApply(r -> caller.withHeaders(r, d.headers()));
        };
        // a Redis read completes on Redis' client thread: continue on the connection's event loop
        return decided.isDone() ? decided.thenCompose(next) : decided.thenComposeAsync(next, caller.loop());
    }

    private record Caller(HttpRequest<?> request) implements LimitGate.Caller<MutableHttpResponse<?>> {
        @Override
        public ClientDialect dialect() {
            return ErrorResponses.dialect(request);
        }

        @Override
        public Executor loop() {
            return Replies.loop(request);
        }

        @Override
        public NamedKey key() {
            return Attributes.key(request);
        }

        @Override
        public MutableHttpResponse<?> refuse(GatewayException e) {
            return ErrorResponses.of(request, e);
        }

        @Override
        public MutableHttpResponse<?> withHeaders(MutableHttpResponse<?> response, Map<String, String> headers) {
            headers.forEach(response::header);
            return response;
        }
    }
}
