package dev.sluice.routing;

import static dev.sluice.routing.Fleet.chatRequests;
import static dev.sluice.routing.Fleet.ok;
import static dev.sluice.routing.Fleet.okStream;
import static dev.sluice.routing.Fleet.repeat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The router over real HTTP: two or three loopback fake runtimes per test, a pool or a fallback chain built
 * by hand, and requests driven through the {@link Dispatcher} as the controllers do. Attempts are counted
 * where they land, at the fakes.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RouterResilienceTest {
    private static final Duration LONG_COOLDOWN = Duration.ofSeconds(30);

    private final List<FakeRuntime> fakes = new ArrayList<>();
    private Fleet fleet;

    /**
     * One success and one failure through a throwaway fleet before any test, so the tests' time bounds measure
     * the router and not the first request of a fresh JVM: loading and compiling Netty, the HTTP codec and the
     * error normalisation took over a second on a loaded 2-core box, and the first test ("failed fast", under
     * 1 s) failed about 1 run in 4.
     */
    @BeforeAll
    static void warmUp() throws Exception {
        try (Fleet warm = new Fleet(); FakeRuntime f = FakeRuntime.vllm()) {
            f.enqueue(ok("warm"));
            f.enqueue(Reply.error(429, "rate limited", "RateLimitError").header("Retry-After", "60"));
            Upstream u = warm.upstream("warm", "m", f, 1, 3, LONG_COOLDOWN);
            Router router = Fleet.router(List.of(new Pool("m", List.of(u), Pool.Strategy.WEIGHTED)), Map.of(),
                    Fleet.retries(1), new RetryBudget(0.2, 3), warm.events);
            Dispatcher d = warm.dispatcher(router, Fleet.timeouts());
            warm.unary(d, "m").get(20, TimeUnit.SECONDS);
            Fleet.failure(warm.unary(d, "m"));
        }
    }

    @BeforeEach
    void setUp() {
        fleet = new Fleet();
    }

    @AfterEach
    void tearDown() {
        fleet.close();
        fakes.forEach(FakeRuntime::close);
    }

    private FakeRuntime fake() {
        FakeRuntime f = FakeRuntime.vllm();
        fakes.add(f);
        return f;
    }

    private Dispatcher pool(RetryPolicy policy, Timeouts timeouts, Upstream... upstreams) {
        Pool pool = new Pool("m", List.of(upstreams), Pool.Strategy.WEIGHTED);
        Router router = Fleet.router(List.of(pool), Map.of(), policy, new RetryBudget(0.2, 3), fleet.events);
        return fleet.dispatcher(router, timeouts);
    }

    private static String content(UpstreamResult r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** Closed-loop load: {@code threads} clients, each sending {@code perThread} requests; what each got. */
    private record Load(int requests, List<Throwable> failures, long elapsedNanos) {}

    private Load load(Dispatcher d, int threads, int perThread, Duration pause, IntConsumer atRequest)
            throws InterruptedException {
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger sent = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            clients.add(Thread.ofPlatform().name("client-" + t).start(() -> {
                for (int i = 0; i < perThread; i++) {
                    atRequest.accept(sent.incrementAndGet());
                    try {
                        fleet.unary(d, "m").get(20, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        failures.add(e.getCause() == null ? e : Dispatcher.unwrap(e.getCause()));
                    }
                    if (!pause.isZero()) {
                        try {
                            Thread.sleep(pause);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }));
        }
        for (Thread c : clients) {
            c.join();
        }
        return new Load(threads * perThread, List.copyOf(failures), System.nanoTime() - start);
    }

    // --- non-streaming ---

    @Test
    void a_deployment_answering_500s_is_ejected_and_every_client_request_still_succeeds() throws Exception {
        FakeRuntime good = fake();
        FakeRuntime bad = fake();
        repeat(good, ok("good"), 400);
        repeat(bad, Reply.error(500, "CUDA error: an illegal memory access was encountered", "InternalServerError"),
                400);
        Dispatcher d = pool(Fleet.retries(1), Fleet.timeouts(),
                fleet.upstream("good", "m", good, 1, 3, LONG_COOLDOWN),
                fleet.upstream("bad", "m", bad, 1, 3, LONG_COOLDOWN));

        Load first = load(d, 4, 25, Duration.ZERO, n -> {});
        int badAfterFirst = chatRequests(bad);
        Load second = load(d, 4, 25, Duration.ZERO, n -> {});

        assertThat(first.failures()).isEmpty();
        assertThat(second.failures()).isEmpty();
        assertThat(fleet.events.ejections).extracting(Map.Entry::getKey).containsExactly("bad");
        assertThat(badAfterFirst).as("3 consecutive failures eject; at most 4 were in flight at once")
                .isBetween(3, 3 + 4);
        assertThat(chatRequests(bad)).as("no attempt reaches the ejected deployment").isEqualTo(badAfterFirst);
        int attempts = chatRequests(good) + chatRequests(bad);
        assertThat(attempts).as("attempts counted at the fakes agree with the router's own count")
                .isEqualTo(fleet.events.attempts("good") + fleet.events.attempts("bad"));
        assertThat((double) attempts / (first.requests() + second.requests())).as("amplification")
                .isLessThanOrEqualTo(1.2);
    }

    @Test
    void a_429_with_retry_after_1_is_retried_after_one_second_not_sooner() throws Exception {
        FakeRuntime only = fake();
        only.enqueue(Reply.error(429, "rate limited", "RateLimitError").header("Retry-After", "1"));
        only.enqueue(ok("after the wait"));
        Dispatcher d = pool(Fleet.retries(1), Fleet.timeouts(), fleet.upstream("only", "m", only, 1, 3, LONG_COOLDOWN));

        long start = System.nanoTime();
        UpstreamResult r = fleet.unary(d, "m").get(10, TimeUnit.SECONDS);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(content(r)).contains("after the wait");
        assertThat(chatRequests(only)).isEqualTo(2);
        assertThat(tookMs).as("waited the Retry-After").isGreaterThanOrEqualTo(1000).isLessThan(3000);
        assertThat(fleet.events.ejections).as("a rate limit is not a health failure").isEmpty();
    }

    @Test
    void a_retry_after_above_the_cap_is_not_waited_for_on_the_only_deployment() throws Exception {
        FakeRuntime only = fake();
        only.enqueue(Reply.error(429, "rate limited", "RateLimitError").header("Retry-After", "60"));
        only.enqueue(ok("too soon"));
        Dispatcher d = pool(Fleet.retries(1), Fleet.timeouts(), fleet.upstream("only", "m", only, 1, 3, LONG_COOLDOWN));

        long start = System.nanoTime();
        GatewayException e = Fleet.failure(fleet.unary(d, "m"));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(tookMs).as("failed fast").isLessThan(1000);
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.headers()).as("the client learns how long to stay away").containsEntry("Retry-After", "60");
        assertThat(chatRequests(only)).as("not asked again 25 ms after it said 60 s").isEqualTo(1);
    }

    @Test
    void a_retry_after_above_the_cap_moves_on_to_another_deployment_at_once() throws Exception {
        FakeRuntime limited = fake();
        FakeRuntime other = fake();
        limited.enqueue(Reply.error(429, "rate limited", "RateLimitError").header("Retry-After", "60"));
        other.enqueue(ok("from the other one"));
        Dispatcher d = pool(Fleet.retries(1), Fleet.timeouts(),
                fleet.upstream("limited", "m", limited, 1, 3, LONG_COOLDOWN),
                fleet.upstream("other", "m", other, 1, 3, LONG_COOLDOWN));

        long start = System.nanoTime();
        UpstreamResult r = fleet.unary(d, "m").get(10, TimeUnit.SECONDS);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(content(r)).contains("from the other one");
        assertThat(tookMs).isLessThan(1000);
        assertThat(chatRequests(limited)).isEqualTo(1);
    }

    @Test
    void with_every_deployment_answering_503_retries_stay_within_the_budget() throws Exception {
        FakeRuntime a = fake();
        FakeRuntime b = fake();
        repeat(a, Reply.error(503, "the engine is overloaded, key " + Fleet.SECRET, "ServiceUnavailable"), 600);
        repeat(b, Reply.error(503, "the engine is overloaded", "ServiceUnavailable"), 600);
        Dispatcher d = pool(Fleet.retries(1), Fleet.timeouts(),
                fleet.upstream("a", "m", a, 1, 3, Duration.ofSeconds(1)),
                fleet.upstream("b", "m", b, 1, 3, Duration.ofSeconds(1)));
        List<GatewayException> errors = new ArrayList<>();

        Load run = load(d, 8, 25, Duration.ofMillis(2), n -> {});
        for (Throwable t : run.failures()) {
            errors.add((GatewayException) t);
        }

        int attempts = chatRequests(a) + chatRequests(b);
        assertThat(errors).hasSize(run.requests());
        assertThat(attempts).as("G6: attempts ≤ 1.2 × requests + 3").isLessThanOrEqualTo(
                (int) Math.floor(1.2 * run.requests() + 3));
        assertThat(errors).allSatisfy(e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.OVERLOADED);
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.headers()).containsKey("Retry-After");
            assertThat(e.getMessage()).doesNotContain(Fleet.SECRET);
        });
        List<GatewayException> retried = errors.stream().filter(e -> e.headers().containsKey("x-sluice-attempts"))
                .toList();
        assertThat(retried).as("some requests were retried").isNotEmpty();
        assertThat(retried).allSatisfy(e -> assertThat(e.headers().get("x-sluice-attempts"))
                .matches("[ab]=503,[ab]=503"));
        assertThat(retried).as("the first failures move to the other deployment")
                .anySatisfy(e -> assertThat(e.headers().get("x-sluice-attempts")).contains("a=503", "b=503"));
    }

    @Test
    void a_deployment_slower_than_the_timeout_is_abandoned_and_the_request_retried_on_the_other() throws Exception {
        FakeRuntime slow = fake();
        FakeRuntime fast = fake();
        slow.enqueue(ok("slow").after(Duration.ofSeconds(8)));
        fast.enqueue(ok("fast"));
        Dispatcher d = pool(Fleet.retries(1), Fleet.timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1)),
                fleet.upstream("slow", "m", slow, 1, 3, LONG_COOLDOWN),
                fleet.upstream("fast", "m", fast, 1, 3, LONG_COOLDOWN));

        long start = System.nanoTime();
        UpstreamResult r = fleet.unary(d, "m").get(10, TimeUnit.SECONDS);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(content(r)).contains("fast");
        assertThat(tookMs).isBetween(1000L, 4000L);
        RecordedRequest abandoned = slow.takeRequest();
        abandoned.awaitClosedByGateway(Duration.ofSeconds(2));
    }

    @Test
    void a_deployment_killed_under_load_costs_no_client_a_failure_and_is_ejected_at_once() throws Exception {
        FakeRuntime victim = fake();
        FakeRuntime survivor = fake();
        repeat(victim, ok("victim"), 2400);
        repeat(survivor, ok("survivor"), 2400);
        Dispatcher d = pool(Fleet.retries(1), Fleet.timeouts(),
                fleet.upstream("victim", "m", victim, 1, 3, LONG_COOLDOWN),
                fleet.upstream("survivor", "m", survivor, 1, 3, LONG_COOLDOWN));
        int threads = 8;
        int perThread = 250;
        int killAt = threads * perThread / 3;
        long[] killedAt = new long[1];
        int[] victimAtKill = new int[1];

        Load run = load(d, threads, perThread, Duration.ofMillis(8), n -> {
            if (n == killAt) {
                victimAtKill[0] = chatRequests(victim);
                killedAt[0] = System.nanoTime();
                victim.close();
            }
        });

        assertThat(killedAt[0]).isPositive();
        assertThat(victimAtKill[0]).as("the victim had its share before the kill").isGreaterThan(killAt / 4);
        assertThat(run.failures()).as("client-visible failures").isEmpty();
        long ejectedAfterMs = TimeUnit.NANOSECONDS.toMillis(fleet.events.firstEjection("victim") - killedAt[0]);
        assertThat(fleet.events.firstEjection("victim")).isPositive();
        assertThat(ejectedAfterMs).as("ejected within 500 ms of the kill").isBetween(0L, 500L);
        int attempts = fleet.events.attempts("victim") + fleet.events.attempts("survivor");
        assertThat((double) attempts / run.requests()).as("amplification").isLessThanOrEqualTo(1.2);
        assertThat(run.elapsedNanos()).as("the run lasted a few seconds").isGreaterThan(TimeUnit.SECONDS.toNanos(1));
    }

    // --- streams ---

    @Test
    void a_stream_whose_deployment_refuses_the_connection_is_retried_and_the_client_gets_one_clean_stream()
            throws Exception {
        FakeRuntime dead = fake();
        FakeRuntime live = fake();
        live.enqueue(okStream("hello"));
        // closed only once every fake of the test is bound, so none of them can be given its port again
        dead.close();
        Dispatcher d = pool(Fleet.retries(1), Fleet.timeouts(), fleet.upstream("dead", "m", dead, 1, 3, LONG_COOLDOWN),
                fleet.upstream("live", "m", live, 1, 3, LONG_COOLDOWN));

        String body = fleet.stream(d, "m").get(10, TimeUnit.SECONDS);

        assertCleanStream(body, "hello");
        assertThat(fleet.events.attempts("dead")).isEqualTo(1);
        assertThat(fleet.events.ejections).extracting(Map.Entry::getKey).containsExactly("dead");
        assertThat(chatRequests(live)).isEqualTo(1);
    }

    @Test
    void a_stream_answered_with_503_before_any_byte_is_retried_on_the_other_deployment() throws Exception {
        FakeRuntime busy = fake();
        FakeRuntime live = fake();
        busy.enqueue(Reply.error(503, "overloaded", "ServiceUnavailable"));
        live.enqueue(okStream("hello"));
        Dispatcher d = pool(Fleet.retries(1), Fleet.timeouts(),
                fleet.upstream("busy", "m", busy, 1, 3, LONG_COOLDOWN),
                fleet.upstream("live", "m", live, 1, 3, LONG_COOLDOWN));

        String body = fleet.stream(d, "m").get(10, TimeUnit.SECONDS);

        assertCleanStream(body, "hello");
        assertThat(chatRequests(busy)).isEqualTo(1);
        assertThat(chatRequests(live)).isEqualTo(1);
    }

    @Test
    void a_stream_silent_past_the_first_byte_timeout_is_retried_on_the_other_deployment() throws Exception {
        FakeRuntime slow = fake();
        FakeRuntime live = fake();
        slow.enqueue(okStream("late").headerDelay(Duration.ofSeconds(8)));
        live.enqueue(okStream("hello"));
        Dispatcher d = pool(Fleet.retries(1), Fleet.timeouts(Duration.ofSeconds(1), Duration.ofSeconds(20)),
                fleet.upstream("slow", "m", slow, 1, 3, LONG_COOLDOWN),
                fleet.upstream("live", "m", live, 1, 3, LONG_COOLDOWN));

        String body = fleet.stream(d, "m").get(10, TimeUnit.SECONDS);

        assertCleanStream(body, "hello");
        assertThat(body).doesNotContain("late");
        slow.takeRequest().awaitClosedByGateway(Duration.ofSeconds(2));
    }

    @Test
    void a_stream_that_fails_after_its_first_event_is_not_retried_and_ends_with_an_error_event() throws Exception {
        FakeRuntime dying = fake();
        FakeRuntime other = fake();
        dying.enqueue(Reply.sse().data(Chunks.delta("s", "Hel")).data(Chunks.delta("s", "lo")).cutAfter(1));
        other.enqueue(okStream("should never be asked"));
        Dispatcher d = pool(Fleet.retries(2), Fleet.timeouts(),
                fleet.upstream("dying", "m", dying, 1, 3, LONG_COOLDOWN),
                fleet.upstream("other", "m", other, 1, 3, LONG_COOLDOWN));

        String body = fleet.stream(d, "m").get(10, TimeUnit.SECONDS);
        Thread.sleep(300); // a retry, if there were one, would have reached the other fake by now

        List<String> events = events(body);
        assertThat(events).first().asString().contains("Hel");
        assertThat(events).last().asString().startsWith("data: {\"error\":");
        assertThat(body).doesNotContain("[DONE]").doesNotContain("never");
        assertThat(chatRequests(other)).as("no retry after the first byte").isZero();
        assertThat(fleet.events.attempts("other")).isZero();
    }

    // --- fallbacks ---

    @Test
    void when_an_alias_fails_its_fallback_alias_answers() throws Exception {
        FakeRuntime primary = fake();
        FakeRuntime backup = fake();
        primary.enqueue(Reply.error(500, "boom", "InternalServerError"));
        backup.enqueue(ok("from the backup"));
        Pool a = new Pool("primary", List.of(fleet.upstream("p1", "primary", primary, "big-model", 1, 3,
                LONG_COOLDOWN)), Pool.Strategy.WEIGHTED);
        Pool b = new Pool("backup", List.of(fleet.upstream("b1", "backup", backup, "small-model", 1, 3,
                LONG_COOLDOWN)), Pool.Strategy.WEIGHTED);
        Router router = Fleet.router(List.of(a, b), Map.of("primary", List.of("backup")), Fleet.retries(0),
                new RetryBudget(0.2, 3), fleet.events);
        Dispatcher d = fleet.dispatcher(router, Fleet.timeouts());

        UpstreamResult r = fleet.unary(d, "primary").get(10, TimeUnit.SECONDS);

        assertThat(content(r)).contains("from the backup");
        assertThat(r.attempt().upstream().id()).isEqualTo("b1");
        assertThat(primary.takeRequest().json().path("model").asText()).isEqualTo("big-model");
        assertThat(backup.takeRequest().json().path("model").asText()).as("each deployment gets its own model")
                .isEqualTo("small-model");
        assertThat(fleet.events.fallbacks).containsOnlyKeys("primary");
        assertThat(fleet.events.fallbacks.get("primary").get()).isEqualTo(1);
        assertThat(fleet.events.retries).isEmpty();
    }

    @Test
    void when_the_whole_chain_fails_the_client_error_names_every_deployment_tried() throws Exception {
        FakeRuntime primary = fake();
        FakeRuntime backup = fake();
        primary.enqueue(Reply.error(500, "boom", "InternalServerError"));
        backup.enqueue(Reply.error(503, "full", "ServiceUnavailable"));
        Pool a = new Pool("primary", List.of(fleet.upstream("p1", "primary", primary, 1, 3, LONG_COOLDOWN)),
                Pool.Strategy.WEIGHTED);
        Pool b = new Pool("backup", List.of(fleet.upstream("b1", "backup", backup, 1, 3, LONG_COOLDOWN)),
                Pool.Strategy.WEIGHTED);
        Router router = Fleet.router(List.of(a, b), Map.of("primary", List.of("backup")), Fleet.retries(0),
                new RetryBudget(0.2, 3), fleet.events);

        GatewayException e = Fleet.failure(fleet.unary(fleet.dispatcher(router, Fleet.timeouts()), "primary"));

        assertThat(e.status()).isEqualTo(503);
        // the last attempt's own error (its type and message are what clients act on); every attempt in a header
        assertThat(e.getMessage()).isEqualTo("full");
        assertThat(e.headers()).containsEntry("x-sluice-attempts", "p1=500,b1=503");
    }

    // --- helpers ---

    private static List<String> events(String body) {
        List<String> out = new ArrayList<>();
        for (String e : body.split("\n\n")) {
            if (!e.isBlank() && !e.startsWith(":")) {
                out.add(e.strip());
            }
        }
        return out;
    }

    private static void assertCleanStream(String body, String text) {
        List<String> events = events(body);
        assertThat(events).as(body).hasSize(4);
        assertThat(events.get(0)).contains("\"content\":\"" + text + "\"");
        assertThat(events.get(1)).contains("\"content\":\"!\"");
        assertThat(events.get(2)).contains("\"finish_reason\":\"stop\"");
        assertThat(events.get(3)).isEqualTo("data: [DONE]");
        assertThat(body).doesNotContain("error");
    }
}
