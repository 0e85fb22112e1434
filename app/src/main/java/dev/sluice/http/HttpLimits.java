package dev.sluice.http;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.function.Supplier;

/** The limits gate ({@link LimitGate}, a ratelimit policy) seen from a controller: Micronaut requests in and out. */
@Singleton
final class HttpLimits {
    private final LimitGate gate;

    HttpLimits(LimitGate gate) {
        this.gate = gate;
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
        return gate.admit(new Caller(request), record, route.pool().alias(), route::finish, json, bodyLength,
                dispatch);
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
