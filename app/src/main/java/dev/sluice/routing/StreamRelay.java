package dev.sluice.routing;

import dev.sluice.backend.BodySink;
import dev.sluice.protocol.UpstreamErrors;
import dev.sluice.backend.UpstreamExchange;
import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.RequestRecord;
import dev.sluice.protocol.sse.SseDecoder;
import dev.sluice.protocol.sse.SseEvent;
import dev.sluice.protocol.StreamTranslator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Relays one upstream event stream to one client, event by event, as each arrives. It pulls from the
 * backend only while the client keeps up, sends keep-alives while the backend is silent, enforces the
 * first-byte, idle and total timeouts, closes the upstream connection the moment the client leaves, and
 * always ends with an explicit terminal event. Everything runs on one event loop; single subscriber.
 */
public final class StreamRelay implements Publisher<byte[]>, BodySink, Subscription {
    private final EventLoop loop;
    private final StreamTranslator translator;
    private final Timeouts timeouts;
    private final RequestRecord record;
    private final String secret;
    private final Consumer<GatewayException> onBackendError;
    private final CompletableFuture<StreamRelay> committed = new CompletableFuture<>();
    private final SseDecoder decoder;
    private final PendingEvents pending = new PendingEvents();
    /** Sized for a read that holds a whole short answer: growing it from ten, per stream, showed in profiles. */
    private final List<SseEvent> events = new ArrayList<>(64);
    private final List<byte[]> out = new ArrayList<>();
    private UpstreamExchange exchange;
    private CompletableFuture<UpstreamExchange> sending;
    private Subscriber<? super byte[]> subscriber;
    private long demand;
    private boolean done;
    private boolean cancelled;
    private boolean firstEvent;
    /** Whether the relay has asked the backend for more and is waiting for it (and only then is it silent). */
    private boolean reading;
    private long lastUpstreamNanos;
    private long lastWriteNanos;
    private ScheduledFuture<?> ticker;
    private ScheduledFuture<?> totalTimer;
    private ClientLink.Registration clientReg;
    private CompositeByteBuf errorBody;
    private boolean cleanedUp;
    private Consumer<GatewayException> onDone = f -> {};
    private GatewayException failure;
    private boolean clientLeft;
    private final CompletableFuture<Boolean> ended = new CompletableFuture<>();

    StreamRelay(EventLoop loop, StreamTranslator translator, Timeouts timeouts, RequestRecord record, String secret,
            Consumer<GatewayException> onBackendError, int maxEventBytes) {
        this.decoder = new SseDecoder(maxEventBytes);
        this.loop = loop;
        this.translator = translator;
        this.timeouts = timeouts;
        this.record = record;
        this.secret = secret;
        this.onBackendError = onBackendError;
    }

    /** Called once when the relay is over: with the failure that ended it, or null when it ended normally. */
    void onDone(Consumer<GatewayException> onDone) {
        this.onDone = onDone;
    }

    /**
     * Completes once the relay is over: true when the client got the whole answer (the backend's stream ended
     * normally and every event was delivered), false after a failure, a cut-off or the client leaving.
     */
    public CompletableFuture<Boolean> ended() {
        return ended;
    }

    /** Whether the relay ended because the client left. */
    public boolean clientLeft() {
        return clientLeft;
    }

    CompletableFuture<StreamRelay> committed() {
        return committed;
    }

    void start(CompletableFuture<UpstreamExchange> send, ClientLink client) {
        sending = send;
        long now = System.nanoTime();
        lastUpstreamNanos = now;
        lastWriteNanos = now;
        clientReg = client.onClose(() -> onLoop(this::clientGone));
        totalTimer = loop.schedule(this::totalTimeout, timeouts.total().toNanos(), TimeUnit.NANOSECONDS);
        long tick = Math.max(50, Math.min(1000, timeouts.keepAlive().toMillis() / 4));
        ticker = loop.scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.MILLISECONDS);
        send.whenComplete((ex, err) -> onLoop(() -> {
            if (err != null) {
                failBeforeOrAfterCommit(Dispatcher.unwrap(err));
                return;
            }
            if (done) {
                ex.abort();
                return;
            }
            exchange = ex;
            if (!ex.isSuccess() || !ex.isEventStream()) {
                // collect the (small) error body, then fail with the runtime's message
                errorBody = Unpooled.compositeBuffer();
                ex.setSink(this);
                ex.read();
                return;
            }
            commit();
            ex.setSink(this);
            drain();
        }));
    }

    private void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    private void commit() {
        if (!committed.isDone()) {
            committed.complete(this);
        }
    }

    // --- upstream side (BodySink) ---

    @Override
    public void onData(ByteBuf data) {
        if (errorBody != null) {
            errorBody.addComponent(true, data);
            if (errorBody.readableBytes() > 64 * 1024) {
                exchange.abort();
                onEnd();
            } else {
                exchange.read();
            }
            return;
        }
        if (done) {
            data.release();
            return;
        }
        lastUpstreamNanos = System.nanoTime();
        reading = false;
        try {
            if (data.hasArray()) {
                decoder.feed(data.array(), data.arrayOffset() + data.readerIndex(), data.readableBytes(), events);
            } else {
                byte[] b = new byte[data.readableBytes()];
                data.getBytes(data.readerIndex(), b);
                decoder.feed(b, events);
            }
        } catch (SseDecoder.EventTooLargeException e) {
            events.clear();
            failBeforeOrAfterCommit(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.MALFORMED_RESPONSE, e.getMessage()));
            return;
        } finally {
            data.release();
        }
        for (SseEvent ev : events) {
            if (!ev.hasBlankData()) {
                translator.onEvent(ev, out);
            }
        }
        events.clear();
        if (!firstEvent && !out.isEmpty()) {
            firstEvent = true;
        }
        if (translator.sawContent()) {
            record.firstToken();
        }
        flushOut();
        if (translator.terminated()) {
            if (translator.failed()) {
                record.outcome("upstream_error");
                failure = GatewayException.of(ErrorKind.API_ERROR, Cause.IN_BAND_ERROR, "in-band upstream error");
                onBackendError.accept(failure);
            }
            done = true;
            // after an in-band error the runtime may keep generating: cut it off; after [DONE] only the
            // end of the chunked body is left, so let it arrive and the connection go back to the pool
            detachUpstream(translator.failed());
        }
        drain();
    }

    @Override
    public void onEnd() {
        if (errorBody != null) {
            byte[] body = new byte[errorBody.readableBytes()];
            errorBody.readBytes(body);
            errorBody.release();
            errorBody = null;
            GatewayException e = UpstreamErrors.from(exchange.isSuccess() ? 502 : exchange.status(), body,
                    exchange.headers(), secret);
            exchange = null;
            failBeforeOrAfterCommit(e);
            return;
        }
        if (done) {
            return;
        }
        decoder.finish(events);
        for (SseEvent ev : events) {
            if (!ev.hasBlankData()) {
                translator.onEvent(ev, out);
            }
        }
        events.clear();
        translator.onEnd(out);
        if (translator.failed()) {
            record.outcome("stream_truncated");
            failure = GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.STREAM_TRUNCATED, "stream truncated");
            onBackendError.accept(failure);
        }
        flushOut();
        exchange = null;
        done = true;
        drain();
    }

    @Override
    public void onError(Throwable cause) {
        if (errorBody != null) {
            errorBody.release();
            errorBody = null;
        }
        exchange = null;
        failBeforeOrAfterCommit(Dispatcher.unwrap(cause));
    }

    private void failBeforeOrAfterCommit(GatewayException e) {
        if (done) {
            return;
        }
        if (e.backendFault()) {
            onBackendError.accept(e);
        }
        failure = e;
        done = true;
        detachUpstream(true);
        if (!committed.isDone()) {
            cleanup();
            committed.completeExceptionally(e);
            return;
        }
        record.outcome(e.cause() == Cause.SHUTDOWN ? "shutdown" : e.kind() == ErrorKind.TIMEOUT ? "timeout" : "stream_aborted");
        translator.onError(e, out);
        flushOut();
        drain();
    }

    /**
     * Ends the stream now because the gateway is shutting down (the drain deadline passed): the client gets an
     * explicit error event in its dialect, never a silent cut, and the upstream connection is closed.
     */
    public void shutDown() {
        onLoop(() -> failBeforeOrAfterCommit(GatewayException.of(ErrorKind.OVERLOADED, Cause.SHUTDOWN,
                "the gateway is shutting down (DRAIN_TIMEOUT_S passed); retry the request")));
    }

    private void timeout(Cause cause, String message) {
        failBeforeOrAfterCommit(GatewayException.of(ErrorKind.TIMEOUT, cause, message));
    }

    /**
     * Whether the backend's silence is the gateway's own doing: its response is open but the relay has not asked for
     * more, because the client has not taken what it already has (backpressure: Micronaut asks only while the client
     * connection is writable). A client that stops reading is the connection's business (CLIENT_WRITE_TIMEOUT_S,
     * http/ConnectionGuard), never the backend's.
     */
    private boolean heldByClient() {
        return exchange != null && !reading && errorBody == null;
    }

    private void totalTimeout() {
        if (heldByClient()) {
            failBeforeOrAfterCommit(GatewayException.of(ErrorKind.TIMEOUT, Cause.CLIENT_STALLED,
                    "the client did not read the stream within " + timeouts.total().toSeconds()
                    + " s (REQUEST_TIMEOUT_S)"));
            return;
        }
        timeout(Cause.TOTAL_TIMEOUT, "the backend did not finish within " + timeouts.total().toSeconds()
                + " s (REQUEST_TIMEOUT_S)");
    }

    private void tick() {
        if (done) {
            return;
        }
        long now = System.nanoTime();
        if (heldByClient()) {
            // the backend's clocks stand still while the gateway is not reading from it
            lastUpstreamNanos = now;
        }
        boolean waiting = !firstEvent;
        long silent = now - lastUpstreamNanos;
        if (waiting && silent >= timeouts.firstByte().toNanos()) {
            timeout(Cause.FIRST_BYTE_TIMEOUT, "the backend sent nothing for " + timeouts.firstByte().toSeconds()
                    + " s (FIRST_BYTE_TIMEOUT_S)");
            return;
        }
        if (!waiting && silent >= timeouts.idle().toNanos()) {
            timeout(Cause.IDLE_TIMEOUT, "the backend stream stalled for " + timeouts.idle().toSeconds()
                    + " s (IDLE_TIMEOUT_S)");
            return;
        }
        if (now - lastWriteNanos >= timeouts.keepAlive().toNanos() && pending.isEmpty()) {
            // long prefill or model loading: commit the 200 rather than leave the client with nothing,
            // and keep proxies with 60 s read timeouts from cutting the connection
            commit();
            pending.add(translator.keepAlive());
            lastWriteNanos = now;
            drain();
        }
    }

    private void flushOut() {
        if (!out.isEmpty()) {
            if (translator.failed() && secret != null) {
                // a backend's error text may echo its key (a URL with ?key=, a header dump): the one place the
                // translators' error events are scrubbed, whatever the dialect
                out.replaceAll(event -> UpstreamErrors.scrub(event, secret));
            }
            pending.addAll(out);
            out.clear();
        }
    }

    /** Stops listening to the backend; {@code abort} closes its connection so the runtime stops generating. */
    private void detachUpstream(boolean abort) {
        UpstreamExchange ex = exchange;
        if (ex == null) {
            if (abort && sending != null) {
                // no response head yet (prefill, model loading): cancelling closes the upstream connection
                sending.cancel(false);
            }
            return;
        }
        exchange = null;
        if (abort) {
            ex.abort();
            return;
        }
        UpstreamRelease.drainToPool(loop, ex);
    }

    // --- client side (Publisher / Subscription) ---

    @Override
    public void subscribe(Subscriber<? super byte[]> s) {
        onLoop(() -> {
            if (subscriber != null) {
                s.onSubscribe(this);
                s.onError(new IllegalStateException("single subscriber only"));
                return;
            }
            subscriber = s;
            s.onSubscribe(this);
            drain();
        });
    }

    @Override
    public void request(long n) {
        onLoop(() -> {
            if (n <= 0) {
                return;
            }
            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            drain();
        });
    }

    @Override
    public void cancel() {
        onLoop(this::clientGone);
    }

    private void clientGone() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        clientLeft = true;
        if (!translator.terminated()) {
            record.clientGone(true);
        }
        done = true;
        detachUpstream(true);
        pending.clear();
        if (!committed.isDone()) {
            committed.completeExceptionally(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.CLIENT_GONE, "client closed"));
        }
        cleanup();
    }

    private void drain() {
        if (cancelled || subscriber == null) {
            return;
        }
        while (demand > 0 && !pending.isEmpty()) {
            demand--;
            lastWriteNanos = System.nanoTime();
            subscriber.onNext(pending.takeAll());
            if (cancelled) {
                return;
            }
        }
        if (pending.isEmpty() && done) {
            cancelled = true;
            detachUpstream(false);
            cleanup();
            subscriber.onComplete();
            return;
        }
        if (pending.isEmpty() && demand > 0 && exchange != null && !reading) {
            // one read in flight at a time: a subscriber that asks again from inside onNext would otherwise
            // send a second read for data the first one is already fetching
            reading = true;
            exchange.read();
        }
    }

    private void cleanup() {
        if (cleanedUp) {
            return;
        }
        cleanedUp = true;
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (totalTimer != null) {
            totalTimer.cancel(false);
        }
        if (clientReg != null) {
            clientReg.remove();
        }
        if (committed.isDone() && !committed.isCompletedExceptionally()) {
            // only the relay the client got reports; a failed attempt before it leaves the record alone
            var usage = translator.usage();
            record.response(translator.answer().model(), translator.answer().finishReasons());
            record.tokens(usage.promptTokens(), usage.completionTokens(), usage.cachedTokens(), usage.estimated());
            record.streamDone();
        }
        onDone.accept(failure);
        ended.complete(failure == null && !clientLeft && !translator.failed());
    }
}
