package dev.sluice.routing;

import dev.sluice.backend.Backend;
import dev.sluice.backend.BodySink;
import dev.sluice.backend.UpstreamCall;
import dev.sluice.protocol.UpstreamErrors;
import dev.sluice.backend.UpstreamExchange;
import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.AttemptTrace;
import dev.sluice.observability.RequestRecord;
import dev.sluice.protocol.StreamTranslator;
import dev.sluice.protocol.sse.SseDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Sends a request to the deployments its route names, with the timeouts, cancellation, error
 * normalisation, retries and fallbacks every exchange needs. A request is only ever retried before any
 * byte has gone to the client.
 */
public final class Dispatcher {
    private final Router router;
    private final Timeouts timeouts;
    private final String secret;
    private final Consumer<GatewayException> onBackendError;
    private final Router.RouteEvents events;
    private final int maxEventBytes;
    private final int maxBodyBytes;
    private final OpenStreams openStreams = new OpenStreams();

    public Dispatcher(Router router, Timeouts timeouts, String secret, Consumer<GatewayException> onBackendError,
            Router.RouteEvents events) {
        this(router, timeouts, secret, onBackendError, events, SseDecoder.DEFAULT_MAX_EVENT_BYTES);
    }

    /** @param maxEventBytes the largest single upstream event a stream may carry (SSE_MAX_EVENT_BYTES) */
    public Dispatcher(Router router, Timeouts timeouts, String secret, Consumer<GatewayException> onBackendError,
            Router.RouteEvents events, int maxEventBytes) {
        this(router, timeouts, secret, onBackendError, events, maxEventBytes, BodySink.DEFAULT_MAX_BUFFERED_BYTES);
    }

    /**
     * @param maxBodyBytes the largest non-streamed answer buffered (MAX_UPSTREAM_BODY_BYTES); a larger one fails
     *     with {@link Cause#RESPONSE_TOO_LARGE} (502), not retried: asking again would get the same
     */
    public Dispatcher(Router router, Timeouts timeouts, String secret, Consumer<GatewayException> onBackendError,
            Router.RouteEvents events, int maxEventBytes, int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
        this.maxEventBytes = maxEventBytes;
        this.router = router;
        this.timeouts = timeouts;
        this.secret = secret;
        this.onBackendError = onBackendError;
        this.events = events;
    }

    public Router router() {
        return router;
    }

    /** Silence after which a waiting stream gets its 200 and a keep-alive (KEEPALIVE_S). */
    public java.time.Duration keepAlive() {
        return timeouts.keepAlive();
    }

    /** The streams being relayed now, for the graceful drain. */
    public OpenStreams openStreams() {
        return openStreams;
    }

    /** A routed non-streaming request; fails with a {@link GatewayException} once every attempt failed. */
    public <P> CompletableFuture<UpstreamResult<P>> unary(Route route, Attempt.Factory<P> factory, RequestRecord record,
            ClientLink client) {
        CompletableFuture<UpstreamResult<P>> result = new CompletableFuture<>();
        boolean[] closed = new boolean[1];
        ClientLink.Registration reg = client.onClose(() -> {
            closed[0] = true;
            route.clientGone();
        });
        result.whenComplete((r, e) -> {
            reg.remove();
            route.finish();
        });
        route.admit().whenComplete((first, err) -> {
            if (err != null) {
                result.completeExceptionally(unwrap(err));
                return;
            }
            tryUnary(route, first, factory, record, client, result, closed);
        });
        return result;
    }

    private <P> void tryUnary(Route route, Upstream u, Attempt.Factory<P> factory, RequestRecord record,
            ClientLink client, CompletableFuture<UpstreamResult<P>> result, boolean[] closed) {
        Attempt<P> a;
        try {
            a = factory.create(u);
        } catch (GatewayException e) {
            result.completeExceptionally(e);
            return;
        }
        if (closed[0]) {
            result.completeExceptionally(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.CLIENT_GONE, "client closed"));
            return;
        }
        record.backend(u.id());
        AttemptTrace trace = attemptTrace(u, record);
        u.started();
        unaryTo(u, a.call().withHeaders(trace.headers()), record, client).whenComplete((r, err) -> {
            u.finished();
            if (err == null) {
                u.succeeded();
                result.complete(new UpstreamResult<>(r.status(), r.headers(), r.body(), a));
                trace.succeeded(); // after the answer was read into the record: its usage goes on the span
                return;
            }
            GatewayException e = unwrap(err);
            trace.failed(errorType(e));
            if (closed[0] || record.clientGone() || e.cause() == Cause.CLIENT_GONE) {
                result.completeExceptionally(e);
                return;
            }
            if (u.failed(e, System.nanoTime())) {
                events.ejected(u);
            }
            switch (route.next(u, e)) {
                case Route.Decision.Retry retry -> a.call().loop().schedule(() -> tryUnary(route, retry.upstream(), factory,
                        record, client, result, closed), retry.delayNanos(), TimeUnit.NANOSECONDS);
                case Route.Decision.Fallback f -> a.call().loop().schedule(() -> tryUnary(route, f.upstream(), factory,
                        record, client, result, closed), f.delayNanos(), TimeUnit.NANOSECONDS);
                case Route.Decision.GiveUp g -> result.completeExceptionally(route.finalError(e));
            }
        });
    }

    /**
     * A routed streaming request. Completes with the relay once the client's 200 may be sent: when a
     * deployment answered 2xx, or stayed silent for the keep-alive interval (then later failures travel
     * in-band and nothing is retried). Fails with a {@link GatewayException} once every attempt failed, or when
     * admission control shed it. While it waits for a slot ({@link Route#queued()}) nothing is sent.
     */
    public <P> CompletableFuture<StreamRelay> stream(Route route, Attempt.Factory<P> factory,
            Function<Attempt<P>, StreamTranslator> translators, RequestRecord record, ClientLink client) {
        CompletableFuture<StreamRelay> result = new CompletableFuture<>();
        boolean[] closed = new boolean[1];
        ClientLink.Registration reg = client.onClose(() -> {
            closed[0] = true;
            route.clientGone();
        });
        result.whenComplete((r, e) -> reg.remove());
        route.admit().whenComplete((first, err) -> {
            if (err != null) {
                route.finish();
                result.completeExceptionally(unwrap(err));
                return;
            }
            tryStream(route, first, factory, translators, record, client, result, closed);
        });
        return result;
    }

    private <P> void tryStream(Route route, Upstream u, Attempt.Factory<P> factory,
            Function<Attempt<P>, StreamTranslator> translators, RequestRecord record, ClientLink client,
            CompletableFuture<StreamRelay> result, boolean[] closed) {
        Attempt<P> a;
        StreamTranslator translator;
        try {
            a = factory.create(u);
            translator = translators.apply(a);
        } catch (GatewayException e) {
            route.finish();
            result.completeExceptionally(e);
            return;
        }
        if (closed[0]) {
            route.finish();
            result.completeExceptionally(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.CLIENT_GONE, "client closed"));
            return;
        }
        record.backend(u.id());
        AttemptTrace trace = attemptTrace(u, record);
        u.started();
        StreamRelay relay = new StreamRelay(a.call().loop(), translator, timeouts.forUpstream(u), record,
                secretOf(u), onBackendError, maxEventBytes);
        relay.onDone(failure -> {
            u.finished();
            if (failure == null) {
                trace.succeeded();
            } else {
                trace.failed(errorType(failure));
            }
            if (failure != null && relay.committed().isDone() && !relay.committed().isCompletedExceptionally()) {
                // a failure after the 200: not retried, but it still counts against the deployment
                if (u.failed(failure, System.nanoTime())) {
                    events.ejected(u);
                }
            }
            if (relay.committed().isDone() && !relay.committed().isCompletedExceptionally()) {
                route.finish();
            }
        });
        openStreams.add(relay);
        relay.start(u.backend().send(a.call().withHeaders(trace.headers())), client);
        relay.committed().whenComplete((r, err) -> {
            if (err == null) {
                u.succeeded();
                result.complete(r);
                return;
            }
            GatewayException e = unwrap(err);
            if (closed[0] || record.clientGone() || e.cause() == Cause.CLIENT_GONE) {
                route.finish();
                result.completeExceptionally(e);
                return;
            }
            if (u.failed(e, System.nanoTime())) {
                events.ejected(u);
            }
            switch (route.next(u, e)) {
                case Route.Decision.Retry retry -> a.call().loop().schedule(() -> tryStream(route, retry.upstream(), factory,
                        translators, record, client, result, closed), retry.delayNanos(), TimeUnit.NANOSECONDS);
                case Route.Decision.Fallback f -> a.call().loop().schedule(() -> tryStream(route, f.upstream(), factory,
                        translators, record, client, result, closed), f.delayNanos(), TimeUnit.NANOSECONDS);
                case Route.Decision.GiveUp g -> {
                    route.finish();
                    result.completeExceptionally(route.finalError(e));
                }
            }
        });
    }

    /** One non-streaming exchange with one deployment, no retries (model lists, token counts, each attempt). */
    public CompletableFuture<UpstreamResult<Void>> unaryTo(Upstream upstream, UpstreamCall call, RequestRecord record,
            ClientLink client) {
        Backend backend = upstream.backend();
        Timeouts timeouts = this.timeouts.forUpstream(upstream);
        CompletableFuture<UpstreamResult<Void>> result = new CompletableFuture<>();
        var loop = call.loop();
        UnaryState state = new UnaryState();
        ScheduledFuture<?> timer = loop.schedule(() -> {
            // settle the result first: aborting may fail the pending send, which must not win
            fail(result, GatewayException.of(ErrorKind.TIMEOUT, Cause.TOTAL_TIMEOUT, "the backend did not answer within "
                    + timeouts.total().toSeconds() + " s (REQUEST_TIMEOUT_S)"));
            state.abort();
        }, timeouts.total().toNanos(), TimeUnit.NANOSECONDS);
        ClientLink.Registration reg = client.onClose(() -> loop.execute(() -> {
            if (!result.isDone()) {
                record.clientGone(true);
                result.completeExceptionally(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.CLIENT_GONE, "client closed"));
                state.abort();
            }
        }));
        result.whenComplete((r, e) -> {
            timer.cancel(false);
            reg.remove();
        });
        CompletableFuture<UpstreamExchange> sending = backend.send(call);
        state.sending = sending;
        if (result.isDone()) {
            sending.cancel(false);
        }
        sending.whenComplete((ex, err) -> {
            if (err != null) {
                fail(result, unwrap(err));
                return;
            }
            if (result.isDone()) {
                ex.abort();
                return;
            }
            state.exchange = ex;
            ex.setSink(new Aggregator(ex, maxBodyBytes, body -> {
                if (ex.isSuccess() && (ex.isEventStream() || !UpstreamErrors.isErrorPayload(body))) {
                    result.complete(new UpstreamResult<>(ex.status(), ex.headers(), body, null));
                } else {
                    fail(result, UpstreamErrors.from(ex.status(), body, ex.headers(), secretOf(upstream)));
                }
            }, cause -> fail(result, unwrap(cause))));
            ex.read();
        });
        return result;
    }

    /** The attempt's span under the request's, or none: {@link AttemptTrace#NONE} when the request is not traced. */
    private static AttemptTrace attemptTrace(Upstream u, RequestRecord record) {
        if (!record.traced()) {
            return AttemptTrace.NONE;
        }
        return record.attempt(u.id(), u.profile().kind().id(), u.backend().location(),
                u.modelFor(record.model()));
    }

    /** A bounded reason for a span: the failure's cause, never its message. */
    private static String errorType(GatewayException e) {
        return e.cause().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The key to scrub from a deployment's errors: its own, else BACKEND_API_KEY. */
    private String secretOf(Upstream u) {
        return u.secret() != null ? u.secret() : secret;
    }

    private void fail(CompletableFuture<?> result, GatewayException e) {
        if (result.completeExceptionally(e) && e.backendFault()) {
            onBackendError.accept(e);
        }
    }

    static GatewayException unwrap(Throwable t) {
        Throwable c = t;
        while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof GatewayException g) {
            return g;
        }
        return GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.CONNECTION_LOST, "the backend exchange failed ("
                + c.getClass().getSimpleName() + ")");
    }

    private static final class UnaryState {
        volatile UpstreamExchange exchange;
        volatile CompletableFuture<UpstreamExchange> sending;

        void abort() {
            if (exchange != null) {
                exchange.abort();
            } else if (sending != null) {
                // no response head yet (a non-streaming answer comes whole): cancelling closes the connection
                sending.cancel(false);
            }
        }
    }

    /** Collects a whole body, asking for the next piece as soon as one arrives. */
    private static final class Aggregator implements BodySink {
        private final UpstreamExchange exchange;
        private final Consumer<byte[]> done;
        private final Consumer<Throwable> failed;
        private final CompositeByteBuf buf = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        private final int max;

        Aggregator(UpstreamExchange exchange, int max, Consumer<byte[]> done, Consumer<Throwable> failed) {
            this.exchange = exchange;
            this.max = max;
            this.done = done;
            this.failed = failed;
        }

        @Override
        public void onData(ByteBuf data) {
            buf.addComponent(true, data);
            if (buf.readableBytes() > max) {
                exchange.abort();
                buf.release();
                failed.accept(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.RESPONSE_TOO_LARGE, "the backend response exceeded "
                        + max + " bytes (MAX_UPSTREAM_BODY_BYTES)"));
                return;
            }
            exchange.read();
        }

        @Override
        public void onEnd() {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            done.accept(bytes);
        }

        @Override
        public void onError(Throwable cause) {
            buf.release();
            failed.accept(cause);
        }
    }
}
