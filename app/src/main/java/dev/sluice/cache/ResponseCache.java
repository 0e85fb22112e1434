package dev.sluice.cache;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import dev.sluice.routing.StreamRelay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;

/**
 * The response cache (docs/CACHE.md): opt-in per alias, exact match on the normalised request, complete 200
 * answers only, each caller's entries its own unless the alias says {@code shared: true}. A JSON answer is kept as
 * its body; a streamed answer as the encoded events the client received, so a hit is replayed as the same stream.
 * Identical requests arriving while the first is still in flight wait for its result instead of calling the
 * backend themselves ({@link Followers}).
 */
public final class ResponseCache {
    public static final String HEADER = "x-sluice-cache";

    private final Map<String, CacheStore> stores;
    private final Set<String> shared;
    private final MeterRegistry registry;
    private final Limits limits;
    private final Followers followers;
    private final Map<String, CompletableFuture<Outcome>> inFlight = new ConcurrentHashMap<>();

    /**
     * @param maxEntryBytes the largest answer kept (CACHE_MAX_ENTRY_KB); a larger one is relayed, not stored
     * @param keepAlive silence after which a waiting stream gets its 200 and a keep-alive (KEEPALIVE_S)
     * @param followerDeadline the longest a request waits on an identical one in flight (REQUEST_TIMEOUT_S)
     */
    public record Limits(long maxEntryBytes, Duration keepAlive, Duration followerDeadline) {
        public static final long DEFAULT_MAX_ENTRY_BYTES = 4L * 1024 * 1024;
        public static final Limits DEFAULTS = new Limits(DEFAULT_MAX_ENTRY_BYTES, Duration.ofSeconds(15),
                Duration.ofSeconds(600));
    }

    /** @param stores the store of each alias that has a cache; {@code shared}, the aliases whose callers share it */
    public ResponseCache(Map<String, CacheStore> stores, Set<String> shared, MeterRegistry registry, Limits limits) {
        this.stores = Map.copyOf(stores);
        this.shared = Set.copyOf(shared);
        this.registry = registry;
        this.limits = limits;
        this.followers = new Followers(limits);
    }

    public ResponseCache(Map<String, CacheStore> stores, MeterRegistry registry) {
        this(stores, Set.of(), registry, Limits.DEFAULTS);
    }

    public boolean enabled(String alias) {
        return stores.containsKey(alias);
    }

    /**
     * Serves one request through the alias's cache, or straight from {@code upstream} when the alias has none.
     *
     * @param extra request headers that change the answer (e.g. anthropic-beta), or null
     * @param caller who is asking (a named key's name, a digest of the key; "" without keys): entries of one caller
     *     are never served to another unless the alias is shared
     * @param replies the client's dialect, for a follower that must answer with an error itself
     * @param release frees the route the request holds, when the answer does not come from the backend
     * @param clientLeft whether this request's client has gone (its backend call was then cancelled, and
     *     requests waiting on it make their own)
     * @param upstream sends the request; its response is the client's, error or not
     */
    public CompletableFuture<MutableHttpResponse<?>> serve(HttpRequest<?> request, String dialect, String endpoint,
            String alias, boolean stream, String extra, JsonNode body, String caller, FollowerReplies replies,
            Runnable release, BooleanSupplier clientLeft, Supplier<CompletableFuture<MutableHttpResponse<?>>> upstream) {
        CacheStore store = stores.get(alias);
        if (store == null) {
            return upstream.get();
        }
        String cc = String.join(",", request.getHeaders().getAll("Cache-Control")).toLowerCase(Locale.ROOT);
        boolean noStore = cc.contains("no-store");
        boolean noCache = noStore || cc.contains("no-cache");
        String key = CacheKey.of(dialect, endpoint, alias, stream, extra, body,
                shared.contains(alias) || caller == null ? "" : caller);
        if (noCache) {
            count(alias, "bypass");
            return upstream.get().thenApply(r -> capture(r, noStore ? null : a -> put(store, key, a), o -> {},
                    clientLeft).header(HEADER, "bypass"));
        }
        Call call = new Call(store, key, alias, stream, replies, clientLeft, upstream);
        return store.get(key).thenCompose(hit -> {
            if (hit != null) {
                release.run();
                count(alias, "hit");
                return CompletableFuture.completedFuture(replay(hit));
            }
            return shared(call, release);
        });
    }

    /** One request's part in the cache, kept for the calls a follower may have to make itself. */
    record Call(CacheStore store, String key, String alias, boolean stream, FollowerReplies replies,
            BooleanSupplier clientLeft, Supplier<CompletableFuture<MutableHttpResponse<?>>> upstream) {}

    /** Leads the in-flight call for this key, or follows the one already there. */
    CompletableFuture<MutableHttpResponse<?>> shared(Call call, Runnable release) {
        CompletableFuture<Outcome> mine = new CompletableFuture<>();
        CompletableFuture<Outcome> leader = inFlight.putIfAbsent(call.key(), mine);
        if (leader != null) {
            // a follower: no backend call, so no route either
            release.run();
            return followers.follow(this, call, leader);
        }
        count(call.alias(), "miss");
        // leave the in-flight table before followers run: one that must retry then starts a new call
        Consumer<Outcome> settle = o -> {
            inFlight.remove(call.key(), mine);
            mine.complete(o);
        };
        CompletableFuture<MutableHttpResponse<?>> sent;
        try {
            sent = call.upstream().get();
        } catch (RuntimeException e) {
            settle.accept(Outcome.ABANDONED);
            throw e;
        }
        return sent.handle((r, e) -> {
            if (e != null) {
                settle.accept(Outcome.ABANDONED);
                throw e instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(e);
            }
            return capture(r, a -> put(call.store(), call.key(), a), settle, call.clientLeft()).header(HEADER, "miss");
        });
    }

    /** A call of its own, neither shared nor stored: for followers of an answer too large to keep. */
    CompletableFuture<MutableHttpResponse<?>> alone(Call call) {
        count(call.alias(), "miss");
        return call.upstream().get().thenApply(r -> r.header(HEADER, "miss"));
    }

    private void put(CacheStore store, String key, CachedAnswer a) {
        if (a.size() <= limits.maxEntryBytes()) {
            store.put(key, a);
        }
    }

    /**
     * Watches what the client gets: a complete answer goes to {@code store} (when not null); the outcome,
     * whatever it is, to {@code outcome}.
     */
    private MutableHttpResponse<?> capture(MutableHttpResponse<?> r, Consumer<CachedAnswer> store,
            Consumer<Outcome> outcome, BooleanSupplier clientLeft) {
        Object body = r.body();
        if (r.code() != 200 && clientLeft.getAsBoolean()) {
            outcome.accept(Outcome.ABANDONED);
            return r;
        }
        if (r.code() != 200) {
            outcome.accept(new Outcome(null, ErrorCopy.of(r), Outcome.Next.NONE));
            return r;
        }
        if (body instanceof byte[] bytes) {
            CachedAnswer a = new CachedAnswer(false, bytes, List.of(), System.currentTimeMillis());
            if (store != null) {
                store.accept(a);
            }
            outcome.accept(new Outcome(a, null, Outcome.Next.NONE));
            return r;
        }
        if (body instanceof StreamRelay relay) {
            Recording recording = new Recording(relay, limits.maxEntryBytes());
            relay.ended().whenComplete((clean, e) -> {
                List<byte[]> events = recording.events();
                if (relay.clientLeft() && !Boolean.TRUE.equals(clean)) {
                    outcome.accept(Outcome.ABANDONED);
                    return;
                }
                if (events == null) {
                    // too large to keep, so followers cannot be given it: they make their own calls
                    outcome.accept(Outcome.TOO_LARGE);
                    return;
                }
                CachedAnswer a = new CachedAnswer(true, null, events, System.currentTimeMillis());
                if (Boolean.TRUE.equals(clean)) {
                    if (store != null) {
                        store.accept(a);
                    }
                    outcome.accept(new Outcome(a, null, Outcome.Next.NONE));
                } else if (e == null && !events.isEmpty()) {
                    // cut short by the backend: followers get what the leader's client got, nothing is stored
                    outcome.accept(new Outcome(a, null, Outcome.Next.NONE));
                } else {
                    outcome.accept(Outcome.ABANDONED);
                }
            });
            @SuppressWarnings("unchecked")
            MutableHttpResponse<Object> o = (MutableHttpResponse<Object>) r;
            o.body(recording);
            return r;
        }
        outcome.accept(Outcome.ABANDONED);
        return r;
    }

    static MutableHttpResponse<?> replay(CachedAnswer a) {
        long age = Math.max(0, (System.currentTimeMillis() - a.storedAtMillis()) / 1000);
        if (!a.stream()) {
            return HttpResponse.ok(a.body()).contentType(MediaType.APPLICATION_JSON_TYPE).header(HEADER, "hit")
                    .header("Age", Long.toString(age));
        }
        return sse(Flux.fromIterable(a.events())).header(HEADER, "hit").header("Age", Long.toString(age));
    }

    static MutableHttpResponse<?> sse(Flux<byte[]> events) {
        return HttpResponse.ok(events)
                .contentType(MediaType.TEXT_EVENT_STREAM_TYPE)
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no");
    }

    void count(String alias, String result) {
        registry.counter("sluice.cache.requests", "alias", alias, "result", result).increment();
    }

    /** What the leader's client got: a complete or cut-short answer, an error, or what followers must do instead. */
    record Outcome(CachedAnswer answer, ErrorCopy error, Next next) {
        /** What a follower does when there is nothing to give it. */
        enum Next {
            NONE,
            /** the leader's client left and took the backend call with it: try again, sharing */
            RETRY,
            /** the answer was too large to keep: a call of its own */
            ALONE
        }

        static final Outcome ABANDONED = new Outcome(null, null, Next.RETRY);
        static final Outcome TOO_LARGE = new Outcome(null, null, Next.ALONE);
    }

    /** An error response, to be given to each follower as its own copy. */
    record ErrorCopy(int status, String reason, List<Map.Entry<String, String>> headers, byte[] body) {
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
}
