package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.protocol.UpstreamErrors;
import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The router's decisions without any I/O: which deployment a pool picks, when a deployment is ejected and
 * for how long, which alias a model name reaches, how many attempts a route makes and in what order, how
 * long a retry waits and how many retries the budget lets through.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RouterSelectionTest {
    private static final Duration COOLDOWN = Duration.ofSeconds(30);
    private static final GatewayException HTTP_500 = new GatewayException(ErrorKind.API_ERROR, 500, "boom", null,
            null, Map.of());
    private static final GatewayException HTTP_503 = GatewayException.of(ErrorKind.OVERLOADED, "busy")
            .withHeader("Retry-After", "1");
    /** Exactly what HttpUpstreamClient raises when nothing listens on the port. */
    private static final GatewayException REFUSED = GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.CONNECT_REFUSED,
            "could not connect to the backend at 127.0.0.1:9 (connection refused); is it running, and is "
                    + "BACKEND_BASE_URL right?");

    private static Upstream deployment(String id, int weight) {
        return deployment(id, weight, 3, COOLDOWN);
    }

    private static Upstream deployment(String id, int weight, int allowedFails, Duration cooldown) {
        return new Upstream(id, "alias", new NoBackend(), null, weight, allowedFails, cooldown);
    }

    private static List<String> picks(Pool pool, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(pool.pick(Set.of(), System.nanoTime()).id());
        }
        return out;
    }

    private static Map<String, Integer> counts(List<String> ids) {
        Map<String, Integer> m = new HashMap<>();
        ids.forEach(id -> m.merge(id, 1, Integer::sum));
        return m;
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class Weighted_round_robin {

        @Test
        void weights_3_to_1_give_exactly_three_quarters_and_interleave_smoothly() {
            Pool pool = new Pool("m", List.of(deployment("a", 3), deployment("b", 1)), Pool.Strategy.WEIGHTED);

            List<String> seq = picks(pool, 400);

            assertThat(counts(seq)).containsEntry("a", 300).containsEntry("b", 100);
            // smooth (nginx): a a b a, never three a's then one b
            assertThat(seq.subList(0, 8)).containsExactly("a", "a", "b", "a", "a", "a", "b", "a");
            assertThat(String.join("", seq)).doesNotContain("aaaa").doesNotContain("bb");
        }

        @Test
        void equal_weights_rotate_through_every_deployment_in_turn() {
            Pool pool = new Pool("m", List.of(deployment("a", 1), deployment("b", 1), deployment("c", 1)),
                    Pool.Strategy.WEIGHTED);

            List<String> seq = picks(pool, 300);

            assertThat(counts(seq)).containsEntry("a", 100).containsEntry("b", 100).containsEntry("c", 100);
            for (int i = 0; i + 3 <= seq.size(); i += 3) {
                assertThat(new HashSet<>(seq.subList(i, i + 3))).as("picks %d..%d", i, i + 2)
                        .containsExactlyInAnyOrder("a", "b", "c");
            }
        }

        @Test
        void a_deployment_already_tried_is_avoided_while_another_is_left() {
            Upstream a = deployment("a", 100);
            Upstream b = deployment("b", 1);
            Pool pool = new Pool("m", List.of(a, b), Pool.Strategy.WEIGHTED);

            assertThat(pool.pick(Set.of(a), System.nanoTime())).isSameAs(b);
            assertThat(pool.pick(Set.of(a, b), System.nanoTime())).isNull();
        }
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class Least_in_flight {

        @Test
        void picks_the_deployment_with_the_fewest_requests_in_flight() {
            Upstream a = deployment("a", 1);
            Upstream b = deployment("b", 1);
            Upstream c = deployment("c", 1);
            Pool pool = new Pool("m", List.of(a, b, c), Pool.Strategy.LEAST_IN_FLIGHT);
            for (int i = 0; i < 5; i++) {
                a.started();
            }
            for (int i = 0; i < 2; i++) {
                b.started();
            }
            for (int i = 0; i < 3; i++) {
                c.started();
            }

            assertThat(pool.pick(Set.of(), System.nanoTime())).isSameAs(b);

            b.started();
            b.started(); // b: 4, c: 3
            assertThat(pool.pick(Set.of(), System.nanoTime())).isSameAs(c);

            for (int i = 0; i < 5; i++) {
                a.finished();
            }
            assertThat(pool.pick(Set.of(), System.nanoTime())).isSameAs(a);
        }

        @Test
        void weights_scale_what_counts_as_idle() {
            Upstream big = deployment("big", 4);
            Upstream small = deployment("small", 1);
            Pool pool = new Pool("m", List.of(big, small), Pool.Strategy.LEAST_IN_FLIGHT);
            for (int i = 0; i < 3; i++) {
                big.started(); // 3 of 4 slots
            }
            small.started(); // 1 of 1

            assertThat(pool.pick(Set.of(), System.nanoTime())).isSameAs(big);
        }

        @Test
        void skips_ejected_deployments_even_when_idle() {
            Upstream idle = deployment("idle", 1);
            Upstream busy = deployment("busy", 1);
            Pool pool = new Pool("m", List.of(idle, busy), Pool.Strategy.LEAST_IN_FLIGHT);
            busy.started();
            busy.started();
            long now = System.nanoTime();
            idle.failed(REFUSED, now);

            assertThat(pool.pick(Set.of(), now + 1)).isSameAs(busy);
        }
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class Passive_health {

        @Test
        void ejected_deployments_get_no_traffic_until_their_cooldown_ends_then_one_probe_per_cooldown() {
            Upstream a = deployment("a", 1);
            Upstream b = deployment("b", 1);
            Upstream c = deployment("c", 1);
            Pool pool = new Pool("m", List.of(a, b, c), Pool.Strategy.WEIGHTED);
            long t0 = System.nanoTime();
            assertThat(b.failed(REFUSED, t0)).isTrue();

            List<String> during = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                during.add(pool.pick(Set.of(), t0 + COOLDOWN.toNanos() - 1).id());
            }
            assertThat(during).doesNotContain("b").contains("a", "c");

            // on probation: one request probes it, the rest of the cooldown's traffic goes elsewhere (G6)
            List<String> after = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                after.add(pool.pick(Set.of(), t0 + COOLDOWN.toNanos()).id());
            }
            assertThat(counts(after)).containsEntry("b", 1);
            List<String> nextCooldown = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                nextCooldown.add(pool.pick(Set.of(), t0 + 2 * COOLDOWN.toNanos()).id());
            }
            assertThat(counts(nextCooldown)).as("another cooldown later: another probe").containsEntry("b", 1);
        }

        @Test
        void with_all_ejected_nothing_is_picked_and_the_pool_says_when_one_is_back() {
            Upstream a = deployment("a", 5, 1, Duration.ofSeconds(10));
            Upstream b = deployment("b", 1, 1, Duration.ofSeconds(5));
            Upstream c = deployment("c", 1, 1, Duration.ofSeconds(20));
            Pool pool = new Pool("m", List.of(a, b, c), Pool.Strategy.WEIGHTED);
            long t0 = System.nanoTime();
            a.failed(HTTP_500, t0);
            b.failed(HTTP_500, t0);
            c.failed(HTTP_500, t0);
            assertThat(List.of(a, b, c)).allMatch(u -> u.ejected(t0 + 1));

            // sending first attempts to the one back soonest was a retry storm on a failing fleet (G6)
            assertThat(pool.pick(Set.of(), t0 + 1)).isNull();
            assertThat(new Pool("m", List.of(a, b, c), Pool.Strategy.LEAST_LOADED).pick(Set.of(), t0 + 1)).isNull();
            assertThat(pool.availableAt(t0 + 1)).isEqualTo(t0 + Duration.ofSeconds(5).toNanos());
            assertThat(pool.pick(Set.of(), t0 + Duration.ofSeconds(5).toNanos())).as("b's probe").isSameAs(b);
            assertThat(pool.pick(Set.of(), t0 + Duration.ofSeconds(5).toNanos())).as("one probe only").isNull();
        }

        @Test
        void is_ejected_after_allowed_fails_consecutive_failures_not_before() {
            Upstream u = deployment("a", 1, 3, COOLDOWN);
            long now = System.nanoTime();

            assertThat(u.failed(HTTP_500, now)).isFalse();
            assertThat(u.failed(HTTP_503, now)).isFalse();
            assertThat(u.ejected(now)).isFalse();
            assertThat(u.failed(GatewayException.of(ErrorKind.TIMEOUT, "slow"), now)).isTrue();
            assertThat(u.ejected(now)).isTrue();
            assertThat(u.ejectedUntil() - now).isEqualTo(COOLDOWN.toNanos());
        }

        @Test
        void is_ejected_at_once_when_the_connection_is_refused() {
            Upstream u = deployment("a", 1, 5, COOLDOWN);
            long now = System.nanoTime();

            assertThat(u.failed(REFUSED, now)).isTrue();
            assertThat(u.ejected(now + COOLDOWN.toNanos() - 1)).isTrue();
            assertThat(u.ejected(now + COOLDOWN.toNanos())).isFalse();
        }

        @Test
        void cooldown_doubles_with_each_ejection_and_is_capped_at_five_minutes() {
            Upstream u = deployment("a", 1, 1, Duration.ofSeconds(45));
            long now = System.nanoTime();
            List<Long> cooldowns = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                assertThat(u.failed(HTTP_500, now)).as("ejection %d", i + 1).isTrue();
                cooldowns.add(u.ejectedUntil() - now);
                // a failure while still ejected (a request already in flight) does not extend the ejection
                assertThat(u.failed(HTTP_500, now + 1)).isFalse();
                now = u.ejectedUntil(); // the probe after the cooldown fails again
            }

            assertThat(cooldowns).containsExactly(
                    Duration.ofSeconds(45).toNanos(),
                    Duration.ofSeconds(90).toNanos(),
                    Duration.ofSeconds(180).toNanos(),
                    Duration.ofMinutes(5).toNanos(),
                    Duration.ofMinutes(5).toNanos(),
                    Duration.ofMinutes(5).toNanos());
        }

        @Test
        void a_success_resets_the_consecutive_failure_count() {
            Upstream u = deployment("a", 1, 3, COOLDOWN);
            long now = System.nanoTime();
            u.failed(HTTP_500, now);
            u.failed(HTTP_500, now);
            u.succeeded();
            u.failed(HTTP_500, now);
            u.failed(HTTP_500, now);

            assertThat(u.ejected(now)).isFalse();
            assertThat(u.failed(HTTP_500, now)).isTrue();
        }

        @Test
        void a_success_after_the_cooldown_resets_the_doubling() {
            Duration cooldown = Duration.ofMillis(100);
            Upstream u = deployment("a", 1, 1, cooldown);
            long past = System.nanoTime() - Duration.ofSeconds(10).toNanos();
            u.failed(HTTP_500, past);
            u.failed(HTTP_500, u.ejectedUntil()); // second ejection: 200 ms, also over by now
            assertThat(u.ejectedUntil() - (past + cooldown.toNanos())).isEqualTo(2 * cooldown.toNanos());

            u.succeeded(); // the probe after the cooldown succeeded: back in service, history forgotten

            long now = System.nanoTime();
            assertThat(u.failed(HTTP_500, now)).isTrue();
            assertThat(u.ejectedUntil() - now).isEqualTo(cooldown.toNanos());
        }

        @Test
        void errors_the_client_caused_never_eject() {
            Upstream u = deployment("a", 1, 1, COOLDOWN);
            long now = System.nanoTime();
            byte[] ctx = ("{\"error\":{\"message\":\"This model's maximum context length is 4096 tokens. However, "
                    + "you requested 5000 tokens\",\"type\":\"BadRequestError\",\"code\":400}}")
                    .getBytes(StandardCharsets.UTF_8);
            List<GatewayException> clientErrors = List.of(
                    UpstreamErrors.from(400, "{\"error\":{\"message\":\"bad field\"}}".getBytes(StandardCharsets.UTF_8),
                            Map.of(), null),
                    UpstreamErrors.from(404, "{\"error\":{\"message\":\"model x does not exist\"}}"
                            .getBytes(StandardCharsets.UTF_8), Map.of(), null),
                    UpstreamErrors.from(400, ctx, Map.of(), null),
                    UpstreamErrors.from(422, "{\"detail\":\"bad\"}".getBytes(StandardCharsets.UTF_8), Map.of(), null),
                    GatewayException.invalid("'messages' is required", "messages"));
            assertThat(clientErrors).extracting(GatewayException::kind).containsExactly(ErrorKind.INVALID_REQUEST,
                    ErrorKind.NOT_FOUND, ErrorKind.CONTEXT_LENGTH, ErrorKind.INVALID_REQUEST,
                    ErrorKind.INVALID_REQUEST);

            for (int round = 0; round < 10; round++) {
                for (GatewayException e : clientErrors) {
                    assertThat(u.failed(e, now)).as(e.kind().name()).isFalse();
                }
            }
            assertThat(u.ejected(now)).isFalse();
            // and they do not count toward the next backend failure either: one 500 ejects (allowedFails 1)
            assertThat(u.failed(HTTP_500, now)).isTrue();
        }

        @Test
        void a_deployment_ejected_while_the_pool_picks_never_leaves_it_without_a_pick() throws Exception {
            // Upstream.failed ejects under the deployment's lock, not the pool's: an ejection between pick's look
            // for a healthy deployment and its choice among them left no choice (a NullPointerException that
            // failed a request in RouterResilienceTest about 1 run in 40)
            Upstream flapping = deployment("flapping", 1);
            Upstream down = deployment("down", 1);
            down.adoptEjection(Long.MAX_VALUE);
            Pool pool = new Pool("m", List.of(flapping, down), Pool.Strategy.WEIGHTED);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread health = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    flapping.adoptEjection(1); // ejected at time 0 ...
                    flapping.succeeded(); // ... and back, since System.nanoTime() is past 1
                }
            });
            try {
                long end = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                int picks = 0;
                while (System.nanoTime() < end) {
                    for (int i = 0; i < 1000; i++) {
                        // null is fine (both may be out at time 0); a throw or the dead one is not
                        assertThat(pool.pick(Set.of(), 0)).isNotSameAs(down);
                    }
                    picks += 1000;
                }
                assertThat(picks).isPositive();
            } finally {
                stop.set(true);
                health.join();
            }
        }
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class Aliases {
        private final Pool exact = new Pool("gpt-4o", List.of(deployment("e", 1)), Pool.Strategy.WEIGHTED);
        private final Pool claude = new Pool("claude-*", List.of(deployment("c", 1)), Pool.Strategy.WEIGHTED);
        private final Pool any = new Pool("*", List.of(deployment("any", 1)), Pool.Strategy.WEIGHTED);

        @Test
        void exact_names_win_over_globs_and_globs_over_the_wildcard() {
            Router router = new Router(List.of(any, claude, exact), Map.of("gpt-4o", List.of("gpt4", "openai/gpt-4o*")),
                    Map.of(), RetryPolicy.NONE, new RetryBudget(0.2, 3), Router.RouteEvents.NONE);

            assertThat(router.pool("gpt-4o")).isSameAs(exact);
            assertThat(router.pool("gpt4")).isSameAs(exact);
            assertThat(router.pool("openai/gpt-4o-mini")).isSameAs(exact);
            assertThat(router.pool("claude-sonnet-4-5")).isSameAs(claude);
            assertThat(router.pool("claude-")).isSameAs(claude);
            assertThat(router.pool("my-claude-x")).as("a glob matches the whole name").isSameAs(any);
            assertThat(router.pool("llama3.1:8b")).isSameAs(any);
            assertThat(router.pool(null)).isNull();
        }

        @Test
        void without_a_wildcard_unknown_names_have_no_route() {
            Router router = new Router(List.of(exact, claude), Map.of(), Map.of(), RetryPolicy.NONE,
                    new RetryBudget(0.2, 3), Router.RouteEvents.NONE);

            assertThat(router.pool("gpt-4")).isNull();
            assertThat(router.route("gpt-4")).isNull();
            assertThat(router.route("claude-x").pool()).isSameAs(claude);
        }

        @Test
        void glob_metacharacters_other_than_star_are_literal() {
            Pool dotted = new Pool("llama3.1:*", List.of(deployment("l", 1)), Pool.Strategy.WEIGHTED);
            Router router = new Router(List.of(dotted), Map.of(), Map.of(), RetryPolicy.NONE,
                    new RetryBudget(0.2, 3), Router.RouteEvents.NONE);

            assertThat(router.pool("llama3.1:8b")).isSameAs(dotted);
            assertThat(router.pool("llama3x1:8b")).isNull();
        }

        @Test
        void only_concrete_aliases_are_listed_as_models() {
            Router router = new Router(List.of(any, claude, exact), Map.of("gpt-4o", List.of("gpt4")), Map.of(),
                    RetryPolicy.NONE, new RetryBudget(0.2, 3), Router.RouteEvents.NONE);

            assertThat(router.namedPools()).containsExactly(exact);
            assertThat(router.pools()).containsExactlyInAnyOrder(any, claude, exact);
        }
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class Routes {
        private final RetryBudget plenty = new RetryBudget(1.0, 1000);

        private List<String> run(Route route, GatewayException error) {
            List<String> order = new ArrayList<>();
            Upstream u = route.first();
            while (u != null) {
                order.add(u.alias() + "/" + u.id());
                Next next = next(route, u, error);
                u = next == null ? null : next.upstream();
            }
            route.finish();
            return order;
        }

        private Upstream in(String alias, String id) {
            return new Upstream(id, alias, new NoBackend(), null, 1, 1000, COOLDOWN);
        }

        @Test
        void try_the_pool_one_plus_retries_times_then_each_fallback_in_order() {
            Pool a = new Pool("a", List.of(in("a", "a1"), in("a", "a2")), Pool.Strategy.WEIGHTED);
            Pool b = new Pool("b", List.of(in("b", "b1")), Pool.Strategy.WEIGHTED);
            Pool c = new Pool("c", List.of(in("c", "c1"), in("c", "c2")), Pool.Strategy.WEIGHTED);
            List<String> retried = new ArrayList<>();
            List<String> fellBack = new ArrayList<>();
            Router.RouteEvents events = new Router.RouteEvents() {
                @Override
                public void retry(String alias) {
                    retried.add(alias);
                }

                @Override
                public void fallback(String alias) {
                    fellBack.add(alias);
                }
            };
            Router router = new Router(List.of(a, b, c), Map.of(), Map.of("a", List.of("b", "c")), Fleet.retries(2),
                    plenty, events);

            Route route = router.route("a");
            List<String> order = run(route, HTTP_500);

            assertThat(order).hasSize(9);
            assertThat(order.subList(0, 3)).allMatch(s -> s.startsWith("a/")).contains("a/a1", "a/a2");
            assertThat(order.subList(0, 2)).as("untried deployments first").doesNotHaveDuplicates();
            assertThat(order.subList(3, 6)).containsOnly("b/b1");
            assertThat(order.subList(6, 9)).allMatch(s -> s.startsWith("c/")).contains("c/c1", "c/c2");
            assertThat(route.attempts()).isEqualTo(9);
            assertThat(retried).containsExactly("a", "a");
            assertThat(fellBack).as("reported under the alias the client asked for").hasSize(6).containsOnly("a");
        }

        @Test
        void with_no_retries_each_pool_of_the_chain_gets_exactly_one_attempt() {
            Pool a = new Pool("a", List.of(in("a", "a1"), in("a", "a2")), Pool.Strategy.WEIGHTED);
            Pool b = new Pool("b", List.of(in("b", "b1")), Pool.Strategy.WEIGHTED);
            Router router = new Router(List.of(a, b), Map.of(), Map.of("a", List.of("b", "unknown", "a", "b")),
                    Fleet.retries(0), plenty, Router.RouteEvents.NONE);

            assertThat(run(router.route("a"), HTTP_503)).containsExactly("a/a1", "b/b1");
            assertThat(run(router.route("b"), HTTP_503)).as("b has no fallbacks of its own").containsExactly("b/b1");
        }

        @Test
        void a_glob_alias_falls_back_by_its_own_alias_name() {
            Pool claude = new Pool("claude-*", List.of(in("claude-*", "anthropic")), Pool.Strategy.WEIGHTED);
            Pool local = new Pool("local", List.of(in("local", "vllm")), Pool.Strategy.WEIGHTED);
            Router router = new Router(List.of(claude, local), Map.of(), Map.of("claude-*", List.of("local")),
                    Fleet.retries(0), plenty, Router.RouteEvents.NONE);

            assertThat(run(router.route("claude-opus-4"), HTTP_500))
                    .containsExactly("claude-*/anthropic", "local/vllm");
        }

        @Test
        void a_non_retryable_error_stops_at_once() {
            Pool a = new Pool("a", List.of(in("a", "a1"), in("a", "a2")), Pool.Strategy.WEIGHTED);
            Pool b = new Pool("b", List.of(in("b", "b1")), Pool.Strategy.WEIGHTED);
            Router router = new Router(List.of(a, b), Map.of(), Map.of("a", List.of("b")), Fleet.retries(3), plenty,
                    Router.RouteEvents.NONE);

            for (GatewayException e : List.of(GatewayException.invalid("bad", "messages"),
                    GatewayException.of(ErrorKind.CONTEXT_LENGTH, "too long"),
                    GatewayException.of(ErrorKind.NOT_FOUND, "no such model"),
                    GatewayException.of(ErrorKind.NOT_SUPPORTED, "no embeddings"))) {
                Route route = router.route("a");
                assertThat(run(route, e)).as(e.kind().name()).hasSize(1);
                assertThat(route.finalError(e)).as("a single attempt keeps the upstream error as is").isSameAs(e);
            }
        }

        @Test
        void the_final_error_lists_every_attempt_keeps_the_last_kind_and_leaks_no_secret() {
            String secret = "sk-live-abcdef0123456789";
            Pool a = new Pool("a", List.of(in("a", "east"), in("a", "west")), Pool.Strategy.WEIGHTED);
            Pool b = new Pool("b", List.of(in("b", "fallback")), Pool.Strategy.WEIGHTED);
            Router router = new Router(List.of(a, b), Map.of(), Map.of("a", List.of("b")), Fleet.retries(1), plenty,
                    Router.RouteEvents.NONE);
            GatewayException echoesKey = UpstreamErrors.from(500, ("{\"error\":{\"message\":\"upstream said: bad "
                    + "header Authorization: Bearer " + secret + "\"}}").getBytes(StandardCharsets.UTF_8), Map.of(),
                    secret);
            GatewayException last = UpstreamErrors.from(503, "{\"error\":{\"message\":\"queue full\"}}"
                    .getBytes(StandardCharsets.UTF_8), Map.of("retry-after", "7"), secret);

            Route route = router.route("a");
            Upstream first = route.first();
            Upstream second = next(route, first, echoesKey).upstream();
            Upstream third = next(route, second, REFUSED).upstream();
            Upstream fourth = next(route, third, HTTP_500).upstream();
            assertThat(next(route, fourth, last)).isNull();
            GatewayException e = route.finalError(last);

            assertThat(List.of(first.id(), second.id())).containsExactlyInAnyOrder("east", "west");
            assertThat(List.of(third.id(), fourth.id())).containsOnly("fallback");
            assertThat(e.kind()).isEqualTo(ErrorKind.OVERLOADED);
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.headers()).containsEntry("Retry-After", "7");
            // the client gets the last attempt's own error; every attempt is in the header and the route's log
            assertThat(e.getMessage()).isEqualTo("queue full");
            assertThat(e.headers().get("x-sluice-attempts")).isEqualTo(first.id() + "=500," + second.id()
                    + "=502,fallback=500,fallback=503");
            assertThat(String.join("; ", route.log()))
                    .contains(first.id() + ": HTTP 500 upstream said", second.id() + ": HTTP 502 could not connect",
                            "fallback: HTTP 500 boom", "fallback: HTTP 503 queue full")
                    .doesNotContain(secret).contains("[redacted]");
            assertThat(route.log()).hasSize(4);
        }

        @Test
        void an_exhausted_budget_ends_the_route_and_says_so() {
            Pool a = new Pool("a", List.of(in("a", "a1"), in("a", "a2")), Pool.Strategy.WEIGHTED);
            RetryBudget none = new RetryBudget(0.0, 0);
            Router router = new Router(List.of(a), Map.of(), Map.of(), Fleet.retries(3), none, Router.RouteEvents.NONE);

            Route route = router.route("a");
            Upstream u = route.first();
            assertThat(next(route, u, HTTP_500)).isNull();
            assertThat(route.attempts()).isEqualTo(1);
            assertThat(route.log()).last().asString().contains("retry budget exhausted");
        }

        @Test
        void a_retry_never_goes_to_an_ejected_deployment_nor_a_first_attempt() {
            Upstream a1 = new Upstream("a1", "a", new NoBackend(), null, 1, 1, COOLDOWN);
            Upstream a2 = new Upstream("a2", "a", new NoBackend(), null, 1, 1, COOLDOWN);
            Upstream b1 = new Upstream("b1", "b", new NoBackend(), null, 1, 1, COOLDOWN);
            Pool a = new Pool("a", List.of(a1, a2), Pool.Strategy.WEIGHTED);
            Pool b = new Pool("b", List.of(b1), Pool.Strategy.WEIGHTED);
            Router router = new Router(List.of(a, b), Map.of(), Map.of("a", List.of("b")), Fleet.retries(2), plenty,
                    Router.RouteEvents.NONE);
            long now = System.nanoTime();
            a2.failed(REFUSED, now);
            b1.failed(REFUSED, now);

            // a1 healthy, a2 and the fallback ejected: a1 is retried in place, nothing else is tried
            assertThat(run(router.route("a"), HTTP_500)).containsExactly("a/a1", "a/a1", "a/a1");

            a1.failed(REFUSED, now);
            // everything ejected, the fallback too: no attempt at all, a 503 that says when to come back (G6)
            Route route = router.route("a");
            GatewayException none = org.assertj.core.api.Assertions.catchThrowableOfType(GatewayException.class,
                    route::first);
            assertThat(none.status()).isEqualTo(503);
            assertThat(none.headers()).containsKey("Retry-After");
            assertThat(none.countsAgainstHealth()).isFalse();
            assertThat(route.attempts()).isZero();
        }

        @Test
        void a_deployment_asking_for_a_pause_beyond_the_cap_is_not_asked_again_by_the_same_request() {
            GatewayException stayAway = HTTP_503.withHeader("Retry-After", "3600");
            Pool single = new Pool("s", List.of(in("s", "s1")), Pool.Strategy.WEIGHTED);
            Pool pair = new Pool("p", List.of(in("p", "p1"), in("p", "p2")), Pool.Strategy.WEIGHTED);
            Router router = new Router(List.of(single, pair), Map.of(), Map.of(), Fleet.retries(3), plenty,
                    Router.RouteEvents.NONE);

            Route alone = router.route("s");
            assertThat(next(alone, alone.first(), stayAway)).as("nothing else to try: fail now").isNull();
            assertThat(alone.finalError(stayAway).headers()).containsEntry("Retry-After", "3600");

            Route two = router.route("p");
            Upstream first = two.first();
            Next next = next(two, first, stayAway);
            assertThat(next.upstream()).isNotSameAs(first);
            assertThat(next.delayNanos()).isZero();
            assertThat(next(two, next.upstream(), HTTP_500).upstream()).as("a plain 500 may be retried in place")
                    .isSameAs(next.upstream());
        }

        @Test
        void a_refused_connection_moves_to_another_deployment_without_the_budget() {
            Upstream down = new Upstream("down", "a", new NoBackend(), null, 1, 3, COOLDOWN);
            Upstream up = new Upstream("up", "a", new NoBackend(), null, 1, 3, COOLDOWN);
            Pool a = new Pool("a", List.of(down, up), Pool.Strategy.WEIGHTED);
            Router router = new Router(List.of(a), Map.of(), Map.of(), Fleet.retries(1), new RetryBudget(0.0, 0),
                    Router.RouteEvents.NONE);

            Route refused = router.route("a");
            assertThat(refused.first()).isSameAs(down);
            assertThat(next(refused, down, REFUSED).upstream()).as("nothing was sent: no budget needed").isSameAs(up);

            Route failed = router.route("a");
            Upstream first = failed.first();
            assertThat(next(failed, first, HTTP_500)).as("a request that reached a backend needs the budget").isNull();
        }

        @Test
        void a_retry_on_a_deployment_not_yet_tried_does_not_wait() {
            Pool a = new Pool("a", List.of(in("a", "a1"), in("a", "a2")), Pool.Strategy.WEIGHTED);
            Router router = new Router(List.of(a), Map.of(), Map.of(), Fleet.retries(2), plenty,
                    Router.RouteEvents.NONE);
            Route route = router.route("a");

            Next other = next(route, route.first(), HTTP_503);
            Next same = next(route, other.upstream(), HTTP_503);

            assertThat(other.delayNanos()).isZero();
            assertThat(same.delayNanos()).as("the same deployment again: its Retry-After of 1 s")
                    .isEqualTo(Duration.ofSeconds(1).toNanos());
        }
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class Retry_policy {
        private final RetryPolicy policy = new RetryPolicy(2, Duration.ofMillis(25), Duration.ofMillis(250),
                Duration.ofSeconds(10));

        @Test
        void retry_after_up_to_the_cap_is_waited_exactly() {
            assertThat(policy.delayNanos(1, HTTP_503.withHeader("Retry-After", "3")))
                    .isEqualTo(Duration.ofSeconds(3).toNanos());
            assertThat(policy.delayNanos(1, HTTP_503.withHeader("Retry-After", "10")))
                    .isEqualTo(Duration.ofSeconds(10).toNanos());
            assertThat(policy.delayNanos(2, HTTP_503.withHeader("Retry-After", "0"))).isZero();
        }

        @Test
        void retry_after_above_the_cap_is_not_waited_for() {
            for (int i = 0; i < 200; i++) {
                assertThat(policy.delayNanos(1, HTTP_503.withHeader("Retry-After", "11")))
                        .isLessThanOrEqualTo(Duration.ofMillis(25).toNanos());
                assertThat(policy.delayNanos(1, HTTP_503.withHeader("Retry-After", "86400")))
                        .isLessThanOrEqualTo(Duration.ofMillis(25).toNanos());
            }
        }

        @Test
        void a_retry_after_that_is_not_a_number_of_seconds_falls_back_to_backoff() {
            GatewayException dated = HTTP_503.withHeader("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT");
            for (int i = 0; i < 200; i++) {
                assertThat(policy.delayNanos(1, dated)).isBetween(0L, Duration.ofMillis(25).toNanos());
            }
        }

        @Test
        void backoff_is_full_jitter_under_a_doubling_cap() {
            GatewayException noHint = HTTP_500;
            int samples = 2000;
            for (int n = 1; n <= 40; n++) {
                long cap = Math.min(Duration.ofMillis(250).toNanos(),
                        Duration.ofMillis(25).toNanos() << Math.min(n - 1, 20));
                long min = Long.MAX_VALUE;
                long max = 0;
                double sum = 0;
                Set<Long> distinct = new HashSet<>();
                for (int i = 0; i < samples; i++) {
                    long d = policy.delayNanos(n, noHint);
                    assertThat(d).as("retry %d", n).isBetween(0L, cap);
                    min = Math.min(min, d);
                    max = Math.max(max, d);
                    sum += d;
                    distinct.add(d);
                }
                assertThat(distinct).as("retry %d is jittered", n).hasSizeGreaterThan(samples / 2);
                assertThat(sum / samples / cap).as("retry %d: mean of full jitter is half the cap", n)
                        .isCloseTo(0.5, within(0.05));
                assertThat(min).isLessThan(cap / 10);
                assertThat(max).isGreaterThan(cap * 9 / 10);
            }
        }

        @Test
        void only_backend_failures_are_retryable() {
            assertThat(List.of(ErrorKind.values())).filteredOn(k -> policy.retryable(GatewayException.of(k, "x")))
                    // and a 409 conflict, which the SDKs retry too
                    .containsExactlyInAnyOrder(ErrorKind.RATE_LIMITED, ErrorKind.API_ERROR, ErrorKind.BAD_GATEWAY,
                            ErrorKind.OVERLOADED, ErrorKind.TIMEOUT, ErrorKind.CONFLICT);
        }
    }

    @Nested
    @DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
    class Retry_budget {

        private RetryBudget withRequests(int n) {
            RetryBudget budget = new RetryBudget(0.2, 3);
            for (int i = 0; i < n; i++) {
                budget.requestStarted();
            }
            return budget;
        }

        private static int drain(RetryBudget budget) {
            int granted = 0;
            while (budget.tryRetry()) {
                granted++;
            }
            return granted;
        }

        @Test
        void with_few_requests_in_flight_the_minimum_concurrency_applies() {
            RetryBudget budget = withRequests(2);

            assertThat(budget.tryRetry()).isTrue();
            assertThat(budget.tryRetry()).isTrue();
            assertThat(budget.tryRetry()).isTrue();
            assertThat(budget.tryRetry()).isFalse();
        }

        @Test
        void with_many_requests_in_flight_a_fifth_of_them_may_be_retrying_at_once() {
            RetryBudget budget = withRequests(50);

            assertThat(drain(budget)).as("max(3, 0.2 × 50)").isEqualTo(10);
            budget.retryDone();
            assertThat(budget.tryRetry()).as("a finished retry gives its slot back").isTrue();
            assertThat(budget.tryRetry()).isFalse();

            for (int i = 0; i < 45; i++) {
                budget.requestFinished();
            }
            for (int i = 0; i < 9; i++) {
                budget.retryDone();
            }
            assertThat(drain(budget)).as("5 in flight: max(3, 1) retrying, one of them still out").isEqualTo(2);
        }

        @Test
        void concurrent_takers_never_exceed_the_budget() throws Exception {
            RetryBudget budget = withRequests(100);
            java.util.concurrent.atomic.AtomicInteger granted = new java.util.concurrent.atomic.AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 1000; i++) {
                        if (budget.tryRetry()) {
                            granted.incrementAndGet();
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(granted.get()).isEqualTo(20);
        }
    }

    /** A decision as the tests read it: the next deployment and its delay, or null when the request gave up. */
    private record Next(Upstream upstream, long delayNanos) {}

    private static Next next(Route route, Upstream failed, GatewayException error) {
        return switch (route.next(failed, error)) {
            case Route.Decision.Retry r -> new Next(r.upstream(), r.delayNanos());
            case Route.Decision.Fallback f -> new Next(f.upstream(), f.delayNanos());
            case Route.Decision.GiveUp g -> null;
        };
    }
}
