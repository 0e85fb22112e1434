package dev.sluice.routing;

import dev.sluice.backend.Backend;
import dev.sluice.backend.BodySink;
import dev.sluice.backend.UpstreamCall;
import dev.sluice.backend.UpstreamErrors;
import dev.sluice.backend.UpstreamExchange;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.RequestRecord;
import dev.sluice.protocol.Json;
import dev.sluice.translate.StreamTranslator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Sends a prepared request to the backend and brings back either a complete response or a stream, with
 * the timeouts, cancellation and error normalisation every exchange needs.
 */
public final class Dispatcher {
    private static final int MAX_UNARY_BYTES = 64 * 1024 * 1024;

    private final Backend backend;
    private final Timeouts timeouts;
    private final String secret;
    private final Consumer<GatewayException> onBackendError;

    public Dispatcher(Backend backend, Timeouts timeouts, String secret, Consumer<GatewayException> onBackendError) {
        this.backend = backend;
        this.timeouts = timeouts;
        this.secret = secret;
        this.onBackendError = onBackendError;
    }

    public Backend backend() {
        return backend;
    }

    /** A non-streaming exchange; fails with a {@link GatewayException} for any upstream error. */
    public CompletableFuture<UpstreamResult> unary(UpstreamCall call, RequestRecord record, ClientLink client) {
        CompletableFuture<UpstreamResult> result = new CompletableFuture<>();
        var loop = call.loop();
        UnaryState state = new UnaryState();
        ScheduledFuture<?> timer = loop.schedule(() -> {
            // settle the result first: aborting may fail the pending send, which must not win
            fail(result, GatewayException.of(ErrorKind.TIMEOUT, "the backend did not answer within "
                    + timeouts.total().toSeconds() + " s (REQUEST_TIMEOUT_S)"));
            state.abort();
        }, timeouts.total().toNanos(), TimeUnit.NANOSECONDS);
        ClientLink.Registration reg = client.onClose(() -> loop.execute(() -> {
            if (!result.isDone()) {
                record.outcome("client_closed");
                result.completeExceptionally(GatewayException.of(ErrorKind.BAD_GATEWAY, "client closed"));
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
            ex.setSink(new Aggregator(ex, body -> {
                if (ex.isSuccess() && !UpstreamErrors.isErrorPayload(ex.isEventStream() ? null : Json.tryParse(body))) {
                    result.complete(new UpstreamResult(ex.status(), ex.headers(), body));
                } else {
                    fail(result, UpstreamErrors.from(ex.status(), body, ex.headers(), secret));
                }
            }, cause -> fail(result, unwrap(cause))));
            ex.read();
        });
        return result;
    }

    /**
     * A streaming exchange. Completes with the relay once the client's 200 may be sent: when the backend
     * answered 2xx, or when it stayed silent for the keep-alive interval (then later failures travel in-band).
     * Fails with a {@link GatewayException} for errors that come before that.
     */
    public CompletableFuture<StreamRelay> stream(UpstreamCall call, StreamTranslator translator, RequestRecord record,
            ClientLink client) {
        StreamRelay relay = new StreamRelay(call.loop(), translator, timeouts, record, secret, onBackendError);
        relay.start(backend.send(call), client);
        return relay.committed();
    }

    private void fail(CompletableFuture<?> result, GatewayException e) {
        if (result.completeExceptionally(e) && isBackendFault(e)) {
            onBackendError.accept(e);
        }
    }

    /** The backend failed, as opposed to rejecting what the client asked (which is the client's error). */
    static boolean isBackendFault(GatewayException e) {
        return switch (e.kind()) {
            case INVALID_REQUEST, NOT_FOUND, CONTEXT_LENGTH, UPSTREAM_CLIENT_ERROR, AUTHENTICATION, PERMISSION,
                    REQUEST_TOO_LARGE, NOT_SUPPORTED -> false;
            case RATE_LIMITED, API_ERROR, BAD_GATEWAY, OVERLOADED, TIMEOUT -> true;
        };
    }

    static GatewayException unwrap(Throwable t) {
        Throwable c = t;
        while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof GatewayException g) {
            return g;
        }
        return GatewayException.of(ErrorKind.BAD_GATEWAY, "the backend exchange failed ("
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

        Aggregator(UpstreamExchange exchange, Consumer<byte[]> done, Consumer<Throwable> failed) {
            this.exchange = exchange;
            this.done = done;
            this.failed = failed;
        }

        @Override
        public void onData(ByteBuf data) {
            buf.addComponent(true, data);
            if (buf.readableBytes() > MAX_UNARY_BYTES) {
                exchange.abort();
                buf.release();
                failed.accept(GatewayException.of(ErrorKind.BAD_GATEWAY, "the backend response exceeded "
                        + MAX_UNARY_BYTES + " bytes"));
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
