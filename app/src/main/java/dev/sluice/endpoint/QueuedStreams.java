package dev.sluice.endpoint;

import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.RequestRecord;
import dev.sluice.protocol.ClientDialect;
import dev.sluice.routing.Route;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;

/**
 * Streams that wait for a deployment with room (admission control) longer than KEEPALIVE_S. Until then nothing is
 * sent: most waits are short, and a request shed before its head went out gets a real 429 / 529 with
 * {@code Retry-After}, which the SDKs retry on their own. Past KEEPALIVE_S the client gets its 200 and an SSE
 * comment every KEEPALIVE_S, as a stream whose backend is silent does, so no proxy with a 60 s read timeout cuts
 * it; once admitted, the answer's own events follow (its first event, {@code message_start} or
 * {@code response.created}, is still the first event). Shed after that, or failed before its stream began, it ends
 * with one error event in the client's dialect, never a silent cut (the status can no longer say it).
 */
final class QueuedStreams {
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private QueuedStreams() {}

    /**
     * {@code reply} as it is when the request is not waiting for a slot; else the same, unless it still waits after
     * {@code every}: then a {@link Reply.Queued} stream.
     *
     * @param opened marks the record as streaming (once, whoever comes first), before any head goes out
     */
    static CompletableFuture<Reply> keepAlive(CompletableFuture<Reply> reply, Route route, EventLoop loop,
            Duration every, ClientDialect dialect, RequestRecord record, Runnable opened) {
        if (reply.isDone() || !route.queued()) {
            return reply;
        }
        CompletableFuture<Reply> out = new CompletableFuture<>();
        // both on the loop, one after the other: whichever comes first decides what the head says
        reply.whenCompleteAsync((r, e) -> {
            if (e != null) {
                out.completeExceptionally(e);
            } else {
                out.complete(r);
            }
        }, loop);
        loop.schedule(() -> {
            if (!out.isDone() && route.queued()) {
                opened.run();
                out.complete(new Reply.Queued(events(reply, loop, every, dialect, record)));
            }
        }, every.toNanos(), TimeUnit.NANOSECONDS);
        return out;
    }

    private static Publisher<byte[]> events(CompletableFuture<Reply> reply, EventLoop loop, Duration every,
            ClientDialect dialect, RequestRecord record) {
        AtomicBoolean relayed = new AtomicBoolean();
        CompletableFuture<Publisher<byte[]>> next = reply.handle((r, e) -> {
            if (e != null) {
                GatewayException g = unwrap(e);
                record.outcome(g.cause() == Cause.QUEUE_TIMEOUT || g.cause() == Cause.QUEUE_FULL ? "shed"
                        : "upstream_error");
                return Flux.just(dialect.streamError(g));
            }
            relayed.set(true);
            return switch (r) {
                case Reply.Stream s -> s.events();
                case Reply.Queued q -> q.events();
                // a streaming request is answered with a stream; a whole body here would be a bug upstream
                case Reply.Json j -> Flux.just(dialect.streamError(GatewayException.of(ErrorKind.BAD_GATEWAY,
                        "the backend answered a streaming request with a whole body")));
            };
        });
        // ticks on the client's own loop, where the server's streaming body expects its events (events arriving from
        // Reactor's parallel threads sometimes stalled the direct body path after its first write)
        Flux<byte[]> keepAlives = Flux.interval(Duration.ZERO, every, Schedulers.fromExecutorService(loop))
                .onBackpressureDrop().map(i -> KEEP_ALIVE);
        return Flux.concat(keepAlives.takeUntilOther(Mono.fromFuture(reply, true).onErrorResume(e -> Mono.empty())
                        .then(Mono.just(0))),
                Mono.fromFuture(next, true).flatMapMany(p -> p))
                .doFinally(signal -> {
                    if (signal == SignalType.CANCEL) {
                        record.clientGone(true);
                    }
                    if (!relayed.get()) {
                        // a relay reports its own end; an error event or a client gone while waiting ends here
                        record.streamDone();
                    }
                });
    }

    private static GatewayException unwrap(Throwable t) {
        Throwable c = t;
        while (c instanceof CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        return c instanceof GatewayException g ? g : GatewayException.of(ErrorKind.BAD_GATEWAY,
                "the request failed (" + c.getClass().getSimpleName() + ")");
    }
}
