package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Admission control without I/O: slots under max_concurrency, the queue and its shedding, slots kept or moved by
 * retries, and every slot back once the requests are over, however they ended. Over HTTP: {@code AdmissionHttpTest}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AdmissionTest {
    private static final GatewayException HTTP_503 = GatewayException.of(ErrorKind.OVERLOADED, "busy");

    static Upstream deployment(String id, int maxConcurrency) {
        return new Upstream(id, "m", new NoBackend(), null, 1, 1000, Duration.ofSeconds(30), null, Map.of(), null,
                maxConcurrency);
    }

    static Router router(Admission.Settings queue, Router.RouteEvents events, Upstream... deployments) {
        Pool pool = new Pool("m", List.of(deployments), Pool.Strategy.WEIGHTED, Pool.DEFAULT_SPILL, queue);
        return new Router(List.of(pool), Map.of(), Map.of(), Fleet.retries(2), new RetryBudget(1.0, 100), events);
    }

    static Router router(Upstream... deployments) {
        return router(new Admission.Settings(10, Duration.ofSeconds(30)), Router.RouteEvents.NONE, deployments);
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    /** {@code route} once it holds its slot. */
    private static Route admitted(Route route) throws Exception {
        get(route.admit());
        return route;
    }

    private static GatewayException failure(CompletableFuture<?> f) throws Exception {
        return Fleet.failure(f);
    }

    @Test
    void a_request_finding_every_deployment_full_waits_and_gets_the_first_slot_that_frees() throws Exception {
        Upstream a = deployment("a", 1);
        Upstream b = deployment("b", 1);
        Router r = router(a, b);
        Route first = r.route("m");
        Route second = r.route("m");
        assertThat(get(first.admit())).isSameAs(a);
        assertThat(get(second.admit())).isSameAs(b);
        Route third = r.route("m");
        CompletableFuture<Upstream> waiting = third.admit();
        assertThat(waiting).isNotDone();
        assertThat(third.queued()).isTrue();
        assertThat(r.pool("m").admission().depth()).isEqualTo(1);

        second.finish();
        assertThat(get(waiting)).isSameAs(b);
        assertThat(third.queued()).isFalse();
        assertThat(r.pool("m").admission().depth()).isZero();
        assertThat(List.of(a.held(), b.held())).containsExactly(1, 1);
        first.finish();
        third.finish();
        third.finish(); // a second finish releases nothing twice
        assertThat(List.of(a.held(), b.held())).containsExactly(0, 0);
    }

    @Test
    void a_pool_without_limits_never_queues_and_still_counts_its_slots_back() throws Exception {
        Upstream a = deployment("a", 0);
        Router r = router(a);
        List<Route> routes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Route route = r.route("m");
            assertThat(route.admit()).isCompletedWithValue(a);
            routes.add(route);
        }
        assertThat(a.held()).isEqualTo(50);
        assertThat(r.pool("m").admission().limited()).isFalse();
        routes.forEach(Route::finish);
        assertThat(a.held()).isZero();
    }

    @Test
    void a_full_queue_sheds_at_once_with_429_and_retry_after() throws Exception {
        Upstream a = deployment("a", 1);
        Router r = router(new Admission.Settings(1, Duration.ofSeconds(30)), Router.RouteEvents.NONE, a);
        Route holder = admitted(r.route("m"));
        CompletableFuture<Upstream> waiting = r.route("m").admit();
        GatewayException shed = failure(r.route("m").admit());
        assertThat(shed.status()).isEqualTo(429);
        assertThat(shed.kind()).as("Anthropic clients get 529 overloaded_error").isEqualTo(ErrorKind.OVERLOADED);
        assertThat(shed.cause()).isEqualTo(Cause.QUEUE_FULL);
        assertThat(shed.retryable()).as("x-should-retry: true").isTrue();
        assertThat(shed.backendFault()).isFalse();
        assertThat(shed.headers().get("Retry-After")).matches("[1-9][0-9]*");
        assertThat(shed.getMessage()).contains("max_concurrency").contains("queue_size");
        assertThat(waiting).isNotDone();
        holder.finish();
        assertThat(get(waiting)).isSameAs(a);
    }

    @Test
    void in_a_full_queue_a_higher_priority_takes_the_place_of_a_lower_one_which_is_shed() throws Exception {
        Upstream a = deployment("a", 1);
        Router r = router(new Admission.Settings(1, Duration.ofSeconds(30)), Router.RouteEvents.NONE, a);
        Route holder = admitted(r.route("m"));
        CompletableFuture<Upstream> low = r.route("m").caller("batch", 0).admit();
        CompletableFuture<Upstream> high = r.route("m").caller("vip", 5).admit();
        GatewayException shed = failure(low);
        assertThat(shed.status()).isEqualTo(429);
        assertThat(shed.cause()).isEqualTo(Cause.QUEUE_FULL);
        assertThat(failure(r.route("m").caller("vip", 5).admit()).cause())
                .as("an equal priority does not push out another").isEqualTo(Cause.QUEUE_FULL);
        holder.finish();
        assertThat(get(high)).isSameAs(a);
    }

    @Test
    void a_request_past_its_deadline_is_shed_with_429_and_leaves_the_queue() throws Exception {
        Upstream a = deployment("a", 1);
        Router r = router(new Admission.Settings(10, Duration.ofMillis(50)), Router.RouteEvents.NONE, a);
        Route holder = admitted(r.route("m"));
        GatewayException shed = failure(r.route("m").admit());
        assertThat(shed.status()).isEqualTo(429);
        assertThat(shed.cause()).isEqualTo(Cause.QUEUE_TIMEOUT);
        assertThat(shed.getMessage()).contains("queue_timeout");
        assertThat(shed.headers()).containsKey("Retry-After");
        assertThat(r.pool("m").admission().depth()).isZero();
        holder.finish();
        assertThat(a.held()).isZero();
    }

    @Test
    void a_client_gone_while_waiting_leaves_the_queue_and_takes_no_slot() throws Exception {
        Upstream a = deployment("a", 1);
        Router r = router(a);
        Route holder = admitted(r.route("m"));
        Route gone = r.route("m");
        CompletableFuture<Upstream> waiting = gone.admit();
        gone.clientGone();
        assertThat(failure(waiting).cause()).isEqualTo(Cause.CLIENT_GONE);
        assertThat(r.pool("m").admission().depth()).isZero();
        Route next = r.route("m");
        CompletableFuture<Upstream> after = next.admit();
        holder.finish();
        assertThat(get(after)).as("the freed slot goes to the one still waiting").isSameAs(a);
        next.finish();
        gone.finish();
        assertThat(a.held()).isZero();
    }

    @Test
    void a_retry_keeps_its_own_slot_when_every_other_deployment_is_full() throws Exception {
        Upstream a = deployment("a", 1);
        Upstream b = deployment("b", 1);
        Router r = router(a, b);
        Route failing = r.route("m");
        Route other = r.route("m");
        assertThat(get(failing.admit())).isSameAs(a);
        assertThat(get(other.admit())).isSameAs(b);
        CompletableFuture<Upstream> waiting = r.route("m").admit();
        var decision = failing.next(a, HTTP_503);
        assertThat(decision).isInstanceOf(Route.Decision.Retry.class);
        assertThat(((Route.Decision.Retry) decision).upstream()).as("b is full: round again, on its own slot")
                .isSameAs(a);
        assertThat(waiting).as("the slot did not go to the queue").isNotDone();
        assertThat(List.of(a.held(), b.held())).containsExactly(1, 1);
        failing.finish();
        assertThat(get(waiting)).isSameAs(a);
    }

    @Test
    void a_retry_moves_to_a_deployment_with_room_and_frees_its_old_slot() throws Exception {
        Upstream a = deployment("a", 1);
        Upstream b = deployment("b", 1);
        Router r = router(a, b);
        Route failing = r.route("m");
        assertThat(get(failing.admit())).isSameAs(a);
        var decision = failing.next(a, HTTP_503);
        assertThat(((Route.Decision.Retry) decision).upstream()).isSameAs(b);
        assertThat(List.of(a.held(), b.held())).containsExactly(0, 1);
        failing.finish();
        assertThat(List.of(a.held(), b.held())).containsExactly(0, 0);
    }

    @Test
    void the_slot_count_a_runtime_publishes_limits_a_deployment_without_max_concurrency() throws Exception {
        Upstream a = deployment("a", 0);
        a.signal(RuntimeMetrics.parse("[{\"id\":0,\"is_processing\":false},{\"id\":1,\"is_processing\":true}]",
                System.nanoTime(), 0), Duration.ofSeconds(10).toNanos());
        assertThat(a.limit()).isEqualTo(2);
        Router r = router(a);
        Route one = r.route("m");
        Route two = r.route("m");
        get(one.admit());
        get(two.admit());
        CompletableFuture<Upstream> third = r.route("m").admit();
        assertThat(third).isNotDone();
        one.finish();
        assertThat(get(third)).isSameAs(a);
    }

    @Test
    void outcomes_and_queue_depth_are_reported_for_metrics() throws Exception {
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        AtomicInteger depth = new AtomicInteger();
        Router.RouteEvents events = new Router.RouteEvents() {
            @Override
            public void admission(String alias, String caller, Router.AdmissionOutcome outcome, long waitNanos) {
                outcomes.computeIfAbsent(caller + ":" + outcome, k -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public void queueDepth(String alias, int delta) {
                depth.addAndGet(delta);
            }
        };
        Upstream a = deployment("a", 1);
        Router r = router(new Admission.Settings(1, Duration.ofSeconds(30)), events, a);
        Route holder = admitted(r.route("m").caller("team-a", 0));
        Route waiter = r.route("m").caller("team-b", 0);
        CompletableFuture<Upstream> waiting = waiter.admit();
        assertThat(depth.get()).isEqualTo(1);
        failure(r.route("m").caller("team-c", 0).admit());
        holder.finish();
        get(waiting);
        waiter.finish();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (depth.get() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(1); // reported as the slot's future settles, on the timer thread
        }
        assertThat(depth.get()).isZero();
        assertThat(outcomes).containsOnlyKeys("team-a:ADMITTED", "team-b:ADMITTED", "team-c:SHED_FULL");
    }

    @Test
    void after_many_cancelled_failed_and_retried_requests_every_slot_is_back() throws Exception {
        Map<Router.AdmissionOutcome, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        Router.RouteEvents events = new Router.RouteEvents() {
            @Override
            public void admission(String alias, String caller, Router.AdmissionOutcome outcome, long waitNanos) {
                outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
            }
        };
        Upstream a = deployment("a", 2);
        Upstream b = deployment("b", 1);
        Router r = router(new Admission.Settings(8, Duration.ofMillis(20)), events, a, b);
        Random rnd = new Random(7);
        List<Route> holding = java.util.Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            Route route = r.route("m");
            int fate = rnd.nextInt(4);
            all.add(route.admit().handle((u, e) -> {
                if (u == null) {
                    route.finish();
                    return null;
                }
                if (fate >= 2) {
                    route.next(u, HTTP_503); // a retry that keeps or moves its slot
                }
                if (fate == 3) {
                    route.next(u, HTTP_503);
                }
                holding.add(route);
                return null;
            }));
            if (fate == 0) {
                route.clientGone(); // gone while waiting; with a slot already, the request keeps it till finish
            }
            if (rnd.nextInt(3) == 0) {
                finishOne(holding, rnd);
            }
            if (i % 50 == 0) {
                Thread.sleep(25); // let some deadlines pass
            }
        }
        CompletableFuture<Void> done = CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.isDone() && System.nanoTime() < deadline) {
            finishOne(holding, rnd);
            Thread.sleep(1);
        }
        done.get(1, TimeUnit.SECONDS);
        while (finishOne(holding, rnd)) {
            // the last holders
        }
        assertThat(outcomes.keySet()).as("every way out of the queue happened").contains(
                Router.AdmissionOutcome.ADMITTED, Router.AdmissionOutcome.SHED_FULL,
                Router.AdmissionOutcome.SHED_TIMEOUT, Router.AdmissionOutcome.CANCELLED);
        assertThat(r.pool("m").admission().depth()).isZero();
        assertThat(List.of(a.held(), b.held())).as("slots held after every request ended").containsExactly(0, 0);
        List<Route> again = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Route route = r.route("m");
            assertThat(route.admit()).as("the pool has its full capacity back").isCompleted();
            again.add(route);
        }
        again.forEach(Route::finish);
    }

    private static boolean finishOne(List<Route> holding, Random rnd) {
        Route done;
        synchronized (holding) {
            if (holding.isEmpty()) {
                return false;
            }
            done = holding.remove(rnd.nextInt(holding.size()));
        }
        done.finish();
        return true;
    }
}
