package dev.sluice.cache;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import dev.sluice.routing.StreamRelay;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;

/**
 * The response cache (docs/CACHE.md): opt-in per alias, exact match on the normalised request, complete 200
 * answers only. A JSON answer is kept as its body; a streamed answer as the encoded events the client received,
 * so a hit is replayed as the same stream. Identical requests arriving while the first is still in flight wait
 * for its result instead of calling the backend themselves.
 */
public final class ResponseCache {
    public static final String HEADER = "x-sluice-cache";

    private final Map<String, CacheStore> stores;
    private final MeterRegistry registry;
    private final Map<String, CompletableFuture<Outcome>> inFlight = new ConcurrentHashMap<>();

    /** @param stores the store of each alias that has a cache */
    public ResponseCache(Map<String, CacheStore> stores, MeterRegistry registry) {
        this.stores = Map.copyOf(stores);
        this.registry = registry;
    }

    public boolean enabled(String alias) {
        return stores.containsKey(alias);
    }

    /**
     * Serves one request through the alias's cache, or straight from {@code upstream} when the alias has none.
     *
     * @param extra request headers that change the answer (e.g. anthropic-beta), or null
     * @param release frees the route the request holds, when the answer does not come from the backend
     * @param clientLeft whether this request's client has gone (its backend call was then cancelled, and
     *     requests waiting on it make their own)
     * @param upstream sends the request; its response is the client's, error or not
     */
    public CompletableFuture<MutableHttpResponse<?>> serve(HttpRequest<?> request, String dialect, String endpoint,
            String alias, boolean stream, String extra, JsonNode body, Runnable release, BooleanSupplier clientLeft,
            Supplier<CompletableFuture<MutableHttpResponse<?>>> upstream) {
        CacheStore store = stores.get(alias);
        if (store == null) {
            return upstream.get();
        }
        String cc = String.join(",", request.getHeaders().getAll("Cache-Control")).toLowerCase(Locale.ROOT);
        boolean noStore = cc.contains("no-store");
        boolean noCache = noStore || cc.contains("no-cache");
        String key = CacheKey.of(dialect, endpoint, alias, stream, extra, body);
        if (noCache) {
            count(alias, "bypass");
            return upstream.get().thenApply(r -> {
                Captured c = capture(r, noStore ? null : a -> store.put(key, a), o -> {}, clientLeft);
                return c.response.header(HEADER, "bypass");
            });
        }
        return store.get(key).thenCompose(hit -> {
            if (hit != null) {
                release.run();
                count(alias, "hit");
                return CompletableFuture.completedFuture(replay(hit));
            }
            return shared(store, key, alias, release, clientLeft, upstream);
        });
    }

    private CompletableFuture<MutableHttpResponse<?>> shared(CacheStore store, String key, String alias,
            Runnable release, BooleanSupplier clientLeft,
            Supplier<CompletableFuture<MutableHttpResponse<?>>> upstream) {
        CompletableFuture<Outcome> mine = new CompletableFuture<>();
        CompletableFuture<Outcome> leader = inFlight.putIfAbsent(key, mine);
        if (leader != null) {
            // a follower: no backend call, so no route either
            release.run();
            return leader.thenCompose(o -> {
                if (o.abandoned()) {
                    // the leader's client left and took the backend call with it: try again on our own
                    return shared(store, key, alias, () -> {}, clientLeft, upstream);
                }
                count(alias, o.answer() != null ? "hit" : "miss");
                return CompletableFuture.completedFuture(o.answer() != null ? replay(o.answer()) : o.error().copy());
            });
        }
        count(alias, "miss");
        // leave the in-flight table before followers run: one that must retry then starts a new call
        java.util.function.Consumer<Outcome> settle = o -> {
            inFlight.remove(key, mine);
            mine.complete(o);
        };
        CompletableFuture<MutableHttpResponse<?>> sent;
        try {
            sent = upstream.get();
        } catch (RuntimeException e) {
            settle.accept(Outcome.ABANDONED);
            throw e;
        }
        return sent.handle((r, e) -> {
            if (e != null) {
                settle.accept(Outcome.ABANDONED);
                throw e instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(e);
            }
            return capture(r, a -> store.put(key, a), settle, clientLeft).response.header(HEADER, "miss");
        });
    }

    /**
     * Watches what the client gets: a complete answer goes to {@code store} (when not null); the outcome,
     * whatever it is, to {@code outcome}.
     */
    private static Captured capture(MutableHttpResponse<?> r, java.util.function.Consumer<CachedAnswer> store,
            java.util.function.Consumer<Outcome> outcome, BooleanSupplier clientLeft) {
        Object body = r.body();
        if (r.code() != 200 && clientLeft.getAsBoolean()) {
            outcome.accept(Outcome.ABANDONED);
            return new Captured(r);
        }
        if (r.code() != 200) {
            outcome.accept(new Outcome(null, ErrorCopy.of(r), false));
            return new Captured(r);
        }
        if (body instanceof byte[] bytes) {
            CachedAnswer a = new CachedAnswer(false, bytes, List.of(), System.currentTimeMillis());
            if (store != null) {
                store.accept(a);
            }
            outcome.accept(new Outcome(a, null, false));
            return new Captured(r);
        }
        if (body instanceof StreamRelay relay) {
            List<byte[]> events = Collections.synchronizedList(new ArrayList<>());
            relay.ended().whenComplete((clean, e) -> {
                CachedAnswer a = new CachedAnswer(true, null, List.copyOf(events), System.currentTimeMillis());
                if (Boolean.TRUE.equals(clean)) {
                    if (store != null) {
                        store.accept(a);
                    }
                    outcome.accept(new Outcome(a, null, false));
                } else if (e == null && !events.isEmpty() && !relay.clientLeft()) {
                    // cut short by the backend: followers get what the leader's client got, nothing is stored
                    outcome.accept(new Outcome(a, null, false));
                } else {
                    outcome.accept(Outcome.ABANDONED);
                }
            });
            @SuppressWarnings("unchecked")
            MutableHttpResponse<Object> o = (MutableHttpResponse<Object>) r;
            o.body(new Recording(relay, events));
            return new Captured(r);
        }
        outcome.accept(Outcome.ABANDONED);
        return new Captured(r);
    }

    private static MutableHttpResponse<?> replay(CachedAnswer a) {
        long age = Math.max(0, (System.currentTimeMillis() - a.storedAtMillis()) / 1000);
        if (!a.stream()) {
            return HttpResponse.ok(a.body()).contentType(MediaType.APPLICATION_JSON_TYPE).header(HEADER, "hit")
                    .header("Age", Long.toString(age));
        }
        return HttpResponse.ok(Flux.fromIterable(a.events()))
                .contentType(MediaType.TEXT_EVENT_STREAM_TYPE)
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .header(HEADER, "hit")
                .header("Age", Long.toString(age));
    }

    private void count(String alias, String result) {
        registry.counter("sluice.cache.requests", "alias", alias, "result", result).increment();
    }

    private record Captured(MutableHttpResponse<?> response) {}

    /** What the leader's client got: a complete or cut-short answer, an error, or nothing (it left). */
    private record Outcome(CachedAnswer answer, ErrorCopy error, boolean abandoned) {
        static final Outcome ABANDONED = new Outcome(null, null, true);
    }

    /** An error response, to be given to each follower as its own copy. */
    private record ErrorCopy(int status, String reason, List<Map.Entry<String, String>> headers, byte[] body) {
        static ErrorCopy of(MutableHttpResponse<?> r) {
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            r.getHeaders().forEach((name, values) -> values.forEach(v -> headers.add(Map.entry(name, v))));
            byte[] body = r.body() instanceof byte[] b ? b : new byte[0];
            return new ErrorCopy(r.code(), r.reason(), headers, body);
        }

        MutableHttpResponse<?> copy() {
            MutableHttpResponse<byte[]> out = HttpResponse.<byte[]>status(status, reason).body(body);
            headers.forEach(h -> out.getHeaders().add(h.getKey(), h.getValue()));
            return out;
        }
    }

    /** The relay as the client sees it, keeping a copy of every event (keep-alive comments left out). */
    private static final class Recording implements Publisher<byte[]> {
        private final Publisher<byte[]> relay;
        private final List<byte[]> events;

        Recording(Publisher<byte[]> relay, List<byte[]> events) {
            this.relay = relay;
            this.events = events;
        }

        @Override
        public void subscribe(Subscriber<? super byte[]> s) {
            relay.subscribe(new Subscriber<>() {
                @Override
                public void onSubscribe(Subscription sub) {
                    s.onSubscribe(sub);
                }

                @Override
                public void onNext(byte[] b) {
                    if (b.length > 0 && b[0] != ':') {
                        events.add(b);
                    }
                    s.onNext(b);
                }

                @Override
                public void onError(Throwable t) {
                    s.onError(t);
                }

                @Override
                public void onComplete() {
                    s.onComplete();
                }
            });
        }
    }
}
