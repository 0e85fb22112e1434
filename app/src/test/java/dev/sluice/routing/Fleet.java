package dev.sluice.routing;

import dev.sluice.backend.BackendProfile;
import dev.sluice.backend.HttpBackend;
import dev.sluice.backend.UpstreamCall;
import dev.sluice.config.env.ConfigLoader;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.RequestRecord;
import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Reply;
import dev.sluice.translate.OpenAiPassthroughStream;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Routers built by hand over loopback {@link FakeRuntime}s, driven through {@link Dispatcher} directly
 * (no Micronaut): one {@link HttpBackend} per fake, the same wiring as {@code GatewayBeans} but with
 * several deployments per pool. Counts attempts, retries, fallbacks and ejections as the router reports them.
 */
final class Fleet implements AutoCloseable {
    static final String SECRET = "sk-fleet-secret-0123456789";

    private final EventLoopGroup group;
    private final List<HttpBackend> backends = new ArrayList<>();
    final Events events = new Events();

    Fleet(int loops) {
        group = new MultiThreadIoEventLoopGroup(loops, NioIoHandler.newFactory());
    }

    Fleet() {
        this(1);
    }

    EventLoop loop() {
        return group.next();
    }

    /** A backend with the fake's runtime profile at its base URL, sending {@code apiKey} (or none). */
    HttpBackend backend(FakeRuntime fake, String apiKey) {
        Map<String, String> env = new HashMap<>();
        env.put("BACKEND_KIND", fake.kind());
        env.put("BACKEND_BASE_URL", fake.baseUrl());
        env.put("CONNECT_TIMEOUT_S", "2");
        if (apiKey != null) {
            env.put("BACKEND_API_KEY", apiKey);
        }
        var config = ConfigLoader.load(env::get);
        HttpBackend b = new HttpBackend(config.backendBaseUrl(), config.backendApiKey(), "authorization",
                config.connectTimeout(), BackendProfile.of(config.backendKind()),
                java.util.function.UnaryOperator.identity());
        backends.add(b);
        return b;
    }

    Upstream upstream(String id, String alias, FakeRuntime fake, int weight, int allowedFails, Duration cooldown) {
        return upstream(id, alias, fake, null, weight, allowedFails, cooldown);
    }

    Upstream upstream(String id, String alias, FakeRuntime fake, String upstreamModel, int weight, int allowedFails,
            Duration cooldown) {
        return new Upstream(id, alias, backend(fake, SECRET), upstreamModel, weight, allowedFails, cooldown);
    }

    Dispatcher dispatcher(Router router, Timeouts timeouts) {
        return new Dispatcher(router, timeouts, SECRET, e -> {}, events);
    }

    static Router router(List<Pool> pools, Map<String, List<String>> fallbacks, RetryPolicy policy,
            RetryBudget budget, Router.RouteEvents events) {
        return new Router(pools, Map.of(), fallbacks, policy, budget, events);
    }

    static RetryPolicy retries(int n) {
        return new RetryPolicy(n, Duration.ofMillis(25), Duration.ofMillis(250), Duration.ofSeconds(10));
    }

    static Timeouts timeouts(Duration firstByte, Duration total) {
        return new Timeouts(firstByte, Duration.ofSeconds(5), total, Duration.ofSeconds(30));
    }

    static Timeouts timeouts() {
        return timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    /** The attempt every test sends: an OpenAI chat body for the deployment, to {@code /chat/completions}. */
    Attempt.Factory<Void> chat(String clientModel, boolean stream, EventLoop loop) {
        return u -> {
            String body = Chunks.chatRequest(stream).replace("\"model\":\"m\"",
                    "\"model\":\"" + u.modelFor(clientModel) + "\"");
            return new Attempt<>(u, new UpstreamCall("POST", "/chat/completions",
                    body.getBytes(StandardCharsets.UTF_8), stream, loop), null);
        };
    }

    /** One non-streaming client request for {@code model}; fails with the client-visible GatewayException. */
    CompletableFuture<UpstreamResult<Void>> unary(Dispatcher d, String model) {
        Route route = d.router().route(model);
        if (route == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no route for " + model));
        }
        EventLoop loop = loop();
        return d.unary(route, chat(model, false, loop), new RequestRecord("t", "POST", r -> {}), ClientLink.NONE);
    }

    /** One streaming client request; completes with everything the client received once the stream ended. */
    CompletableFuture<String> stream(Dispatcher d, String model) {
        Route route = d.router().route(model);
        EventLoop loop = loop();
        CompletableFuture<String> body = new CompletableFuture<>();
        d.stream(route, chat(model, true, loop), a -> new OpenAiPassthroughStream(false, null),
                new RequestRecord("t", "POST", r -> {}), ClientLink.NONE).whenComplete((relay, err) -> {
                    if (err != null) {
                        body.completeExceptionally(Dispatcher.unwrap(err));
                        return;
                    }
                    relay.subscribe(new Collector(body));
                });
        return body;
    }

    static GatewayException failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(30, TimeUnit.SECONDS);
            throw new AssertionError("expected the request to fail, but it succeeded");
        } catch (java.util.concurrent.ExecutionException e) {
            return Dispatcher.unwrap(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the request neither failed nor succeeded within 30 s");
        }
    }

    /** A chat completion saying {@code text}. */
    static Reply.Body ok(String text) {
        return Reply.json("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":"
                + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,"
                + "\"total_tokens\":2}}");
    }

    /** A complete stream: two deltas, a stop chunk, [DONE]. */
    static Reply.Sse okStream(String text) {
        return Reply.sse().data(Chunks.delta("s", text)).data(Chunks.delta("s", "!")).data(Chunks.stop("s"));
    }

    /** Queues {@code n} uses of the same (immutable) reply: FakeRuntime takes one per request. */
    static void repeat(FakeRuntime fake, Reply reply, int n) {
        for (int i = 0; i < n; i++) {
            fake.enqueue(reply);
        }
    }

    static int chatRequests(FakeRuntime fake) {
        return (int) fake.apiRequests().stream().filter(r -> r.path().contains("/chat/completions")).count();
    }

    @Override
    public void close() {
        backends.forEach(HttpBackend::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** What the router reported, with when each ejection happened. */
    static final class Events implements Router.RouteEvents {
        final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> retries = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> fallbacks = new ConcurrentHashMap<>();
        final List<Map.Entry<String, Long>> ejections = new CopyOnWriteArrayList<>();

        @Override
        public void attempt(Upstream u) {
            attempts.computeIfAbsent(u.id(), k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void retry(String alias) {
            retries.computeIfAbsent(alias, k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void fallback(String alias) {
            fallbacks.computeIfAbsent(alias, k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void ejected(Upstream u) {
            ejections.add(Map.entry(u.id(), System.nanoTime()));
        }

        int attempts(String id) {
            AtomicInteger n = attempts.get(id);
            return n == null ? 0 : n.get();
        }

        long firstEjection(String id) {
            return ejections.stream().filter(e -> e.getKey().equals(id)).mapToLong(Map.Entry::getValue).min()
                    .orElse(-1);
        }
    }

    /** Takes everything, records it, completes with it at the end. */
    static final class Collector implements Subscriber<byte[]> {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<String> done;

        Collector(CompletableFuture<String> done) {
            this.done = done;
        }

        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(byte[] bytes) {
            synchronized (out) {
                out.writeBytes(bytes);
            }
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            synchronized (out) {
                done.complete(out.toString(StandardCharsets.UTF_8));
            }
        }
    }
}
