package dev.sluice.cache;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.protocol.Json;
import io.micronaut.http.MutableHttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Requests that wait on an identical one in flight. Each has its own deadline (REQUEST_TIMEOUT_S from when it
 * began waiting) and a streamed one its keep-alives: after KEEPALIVE_S of waiting it gets its {@code 200} and an
 * SSE comment every KEEPALIVE_S, as a stream whose backend is silent does, so no proxy or client gives up on it.
 * Before issue 13 a follower waited as long as its leader, with nothing on the wire.
 *
 * <p>The keep-alive is an SSE comment in every dialect: the answer replayed after it brings its own first event
 * ({@code message_start}, {@code response.created}), which must not be sent twice.
 */
final class Followers {
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);
    /** A follower's own deadline passed. */
    private static final ResponseCache.Outcome TIMED_OUT = new ResponseCache.Outcome(null, null,
            ResponseCache.Outcome.Next.NONE);
    /** KEEPALIVE_S passed with no outcome yet: a stream gets its 200. */
    private static final ResponseCache.Outcome WAITING = new ResponseCache.Outcome(null, null,
            ResponseCache.Outcome.Next.NONE);

    private final ResponseCache.Limits limits;

    Followers(ResponseCache.Limits limits) {
        this.limits = limits;
    }

    CompletableFuture<MutableHttpResponse<?>> follow(ResponseCache cache, ResponseCache.Call call,
            CompletableFuture<ResponseCache.Outcome> leader) {
        // copies: a follower's timeouts complete its own view, never the leader's future other followers share
        CompletableFuture<ResponseCache.Outcome> waited = leader.copy()
                .completeOnTimeout(TIMED_OUT, limits.followerDeadline().toMillis(), TimeUnit.MILLISECONDS);
        if (!call.stream()) {
            return waited.thenCompose(o -> settle(cache, call, o));
        }
        return waited.copy().completeOnTimeout(WAITING, limits.keepAlive().toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(o -> o == WAITING ? CompletableFuture.completedFuture(committed(cache, call, waited))
                        : settle(cache, call, o));
    }

    /** The answer for a follower whose outcome came before its 200 went out. */
    private CompletableFuture<MutableHttpResponse<?>> settle(ResponseCache cache, ResponseCache.Call call,
            ResponseCache.Outcome o) {
        if (o == TIMED_OUT) {
            cache.count(call.alias(), "timeout");
            return CompletableFuture.completedFuture(call.replies().timeout(timeoutMessage()));
        }
        return switch (o.next()) {
            case RETRY -> cache.shared(call, () -> {});
            case ALONE -> cache.alone(call);
            case NONE -> {
                cache.count(call.alias(), o.answer() != null ? "hit" : "miss");
                yield CompletableFuture.completedFuture(o.answer() != null ? ResponseCache.replay(o.answer())
                        : o.error().copy());
            }
        };
    }

    /**
     * A streamed follower still waiting after KEEPALIVE_S: its 200 now, keep-alives until the outcome, then the
     * answer's events, or an error event in the client's dialect (its deadline passed, or the shared call failed).
     */
    private MutableHttpResponse<?> committed(ResponseCache cache, ResponseCache.Call call,
            CompletableFuture<ResponseCache.Outcome> waited) {
        Flux<byte[]> keepAlives = Flux.interval(java.time.Duration.ZERO, limits.keepAlive())
                .onBackpressureDrop().map(i -> KEEP_ALIVE);
        Flux<byte[]> rest = Mono.fromFuture(waited, true).flatMapMany(o -> {
            if (o == TIMED_OUT) {
                cache.count(call.alias(), "timeout");
                return Flux.just(call.replies().streamError(true, timeoutMessage()));
            }
            return switch (o.next()) {
                case RETRY -> events(call, cache.shared(call, () -> {}));
                case ALONE -> events(call, cache.alone(call));
                case NONE -> {
                    cache.count(call.alias(), o.answer() != null ? "hit" : "miss");
                    yield o.answer() != null ? Flux.fromIterable(o.answer().events())
                            : Flux.just(call.replies().streamError(false, message(o.error().body())));
                }
            };
        });
        return ResponseCache.sse(Flux.concat(keepAlives.takeUntilOther(Mono.fromFuture(waited, true)), rest))
                .header(ResponseCache.HEADER, "hit");
    }

    /** The events of a response that must follow a 200 already sent: its stream, or its error as an event. */
    private static Flux<byte[]> events(ResponseCache.Call call, CompletableFuture<MutableHttpResponse<?>> response) {
        return Mono.fromFuture(response).flatMapMany(r -> {
            if (r.code() == 200 && r.body() instanceof Publisher<?> p) {
                @SuppressWarnings("unchecked")
                Publisher<byte[]> events = (Publisher<byte[]>) p;
                return Flux.from(events);
            }
            return Flux.just(call.replies().streamError(false,
                    message(r.body() instanceof byte[] b ? b : new byte[0])));
        });
    }

    private String timeoutMessage() {
        return "no answer within " + limits.followerDeadline().toSeconds() + " s (REQUEST_TIMEOUT_S) while waiting"
                + " for an identical request in flight";
    }

    /** The message of an error body in any of the dialects ({@code error.message}, or {@code message}). */
    static String message(byte[] body) {
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            JsonNode m = n.path("error").path("message");
            if (m.isTextual()) {
                return m.asText();
            }
            if (n.path("message").isTextual()) {
                return n.path("message").asText();
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not JSON: fall through to the generic message
        }
        return "the identical request this one waited on failed";
    }
}
