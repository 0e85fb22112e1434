package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Choosing by published load, and keeping a conversation on its deployment (no traffic is sent). */
class LoadAwareRoutingTest {
    private static final long TTL = Duration.ofSeconds(60).toNanos();

    private static List<Upstream> fleet(int n) {
        List<Upstream> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Upstream("d" + i, "m", new NoBackend(), null, 1, 3, Duration.ofSeconds(30)));
        }
        return out;
    }

    private static void publish(Upstream u, double running, double waiting, double cache, long now) {
        u.signal(new LoadSignal(running, waiting, cache, now, 0), TTL);
    }

    @Test
    void least_loaded_keeps_traffic_off_a_deployment_with_a_long_queue() {
        List<Upstream> us = fleet(4);
        long now = System.nanoTime();
        publish(us.get(0), 8, 20, 0.95, now);
        for (int i = 1; i < 4; i++) {
            publish(us.get(i), 2, 0, 0.2, now);
        }
        Pool pool = new Pool("m", us, Pool.Strategy.LEAST_LOADED);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            counts.merge(pool.pick(Set.of(), now).id(), 1, Integer::sum);
        }
        assertThat(counts.getOrDefault("d0", 0)).as("never the less loaded of any two").isZero();
        assertThat(counts).containsKeys("d1", "d2", "d3");
    }

    @Test
    void a_stale_or_missing_signal_falls_back_to_the_gateways_in_flight_count() {
        List<Upstream> us = fleet(2);
        long now = System.nanoTime();
        us.get(0).signal(new LoadSignal(0, 0, 0, now - 2 * TTL, 0), TTL); // says idle, but long ago
        for (int i = 0; i < 5; i++) {
            us.get(0).started();
        }
        Pool pool = new Pool("m", us, Pool.Strategy.LEAST_LOADED);
        for (int i = 0; i < 50; i++) {
            assertThat(pool.pick(Set.of(), now)).isSameAs(us.get(1));
        }
    }

    @Test
    void requests_sent_since_the_last_reading_count_until_the_next() {
        Upstream u = fleet(1).get(0);
        long now = System.nanoTime();
        u.signal(new LoadSignal(2, 1, 0, now, 3), TTL); // read when this gateway had 3 in flight
        for (int i = 0; i < 5; i++) {
            u.started();
        }
        // runtime said 3 (2 running + 1 waiting); 2 more sent since; queued ones count again
        assertThat(u.load(now, 0)).isEqualTo(5 + 1);
    }

    @Test
    void prefix_affinity_sends_a_conversation_to_the_same_deployment() {
        Pool pool = new Pool("m", fleet(4), Pool.Strategy.PREFIX_AFFINITY);
        long now = System.nanoTime();
        Map<String, Integer> homes = new HashMap<>();
        for (int c = 0; c < 200; c++) {
            String key = "conversation-" + c;
            Upstream home = pool.pick(Set.of(), now, key);
            for (int turn = 0; turn < 5; turn++) {
                assertThat(pool.pick(Set.of(), now, key)).isSameAs(home);
            }
            homes.merge(home.id(), 1, Integer::sum);
        }
        assertThat(homes).containsOnly(Map.entry("d0", 50), Map.entry("d1", 50), Map.entry("d2", 50),
                Map.entry("d3", 50));
    }

    @Test
    void a_reload_keeps_each_conversation_on_its_deployment_and_homes_new_ones_on_the_added_one() {
        List<Upstream> four = fleet(4);
        Pool before = new Pool("m", four, Pool.Strategy.PREFIX_AFFINITY);
        long now = System.nanoTime();
        Map<String, String> homes = new HashMap<>();
        for (int c = 0; c < 200; c++) {
            homes.put("k" + c, before.pick(Set.of(), now, "k" + c).id());
        }
        // the reload builds new Upstreams with the same ids, plus one more
        List<Upstream> five = fleet(5);
        Router router = new Router(List.of(before), Map.of(), Map.of(), RetryPolicy.NONE, new RetryBudget(1, 10),
                Router.RouteEvents.NONE);
        Pool after = new Pool("m", five, Pool.Strategy.PREFIX_AFFINITY);
        router.replaceWith(new Router(List.of(after), Map.of(), Map.of(), RetryPolicy.NONE, new RetryBudget(1, 10),
                Router.RouteEvents.NONE));
        homes.forEach((key, id) -> assertThat(after.pick(Set.of(), now, key).id()).as(key).isEqualTo(id));
        for (int c = 200; c < 250; c++) {
            assertThat(after.pick(Set.of(), now, "k" + c).id()).as("the new deployment has room").isEqualTo("d4");
        }
    }

    @Test
    void prefix_affinity_spills_from_a_busy_home_to_the_least_loaded_and_stays_there() {
        List<Upstream> us = fleet(4);
        Pool pool = new Pool("m", us, Pool.Strategy.PREFIX_AFFINITY, 4);
        long now = System.nanoTime();
        String key = "busy-conversation";
        Upstream home = pool.pick(Set.of(), now, key);
        for (Upstream u : us) {
            publish(u, 2, 0, 0, now);
        }
        Upstream idle = us.get((us.indexOf(home) + 1) % us.size());
        publish(idle, 1, 0, 0, now);
        publish(home, 4, 2, 0, now); // 6 + 2 queued counted twice = 8 > 1 + 4
        assertThat(pool.pick(Set.of(), now, key)).as("spills to the least loaded").isSameAs(idle);

        publish(home, 2, 0, 0, now); // within the margin again: the conversation's cache is at idle now
        assertThat(pool.pick(Set.of(), now, key)).isSameAs(idle);
        publish(idle, 5, 0, 0, now); // but within the margin of the others still
        assertThat(pool.pick(Set.of(), now, key)).isSameAs(idle);
    }

    @Test
    void new_conversations_are_spread_evenly_where_hashing_is_lopsided() {
        Pool pool = new Pool("m", fleet(4), Pool.Strategy.PREFIX_AFFINITY);
        long now = System.nanoTime();
        Map<String, Integer> homes = new HashMap<>();
        for (int c = 0; c < 32; c++) {
            homes.merge(pool.pick(Set.of(), now, "conversation-" + c).id(), 1, Integer::sum);
        }
        assertThat(homes).containsOnly(Map.entry("d0", 8), Map.entry("d1", 8), Map.entry("d2", 8),
                Map.entry("d3", 8));
    }

    @Test
    void the_table_forgets_the_least_recent_conversation_past_its_capacity() {
        AffinityTable t = new AffinityTable(2, 3);
        t.move("a", 0);
        t.move("b", 0);
        t.move("c", 1);
        assertThat(t.home("a")).isZero(); // a is now the most recent
        t.move("d", 1);
        assertThat(t.home("b")).isEqualTo(-1);
        assertThat(t.size()).isEqualTo(3);
        assertThat(t.conversations(0)).isEqualTo(1);
        assertThat(t.conversations(1)).isEqualTo(2);
        t.move("a", 1);
        assertThat(t.conversations(0)).isZero();
        assertThat(t.conversations(1)).isEqualTo(3);
    }

    @Test
    void prefix_affinity_without_a_key_balances_by_load() {
        List<Upstream> us = fleet(2);
        long now = System.nanoTime();
        publish(us.get(0), 10, 10, 1, now);
        publish(us.get(1), 0, 0, 0, now);
        Pool pool = new Pool("m", us, Pool.Strategy.PREFIX_AFFINITY);
        assertThat(pool.pick(Set.of(), now, null)).isSameAs(us.get(1));
    }

    @Test
    void prefix_affinity_skips_an_ejected_home_and_a_retry_takes_the_keys_next_choice() {
        List<Upstream> us = fleet(4);
        Pool pool = new Pool("m", us, Pool.Strategy.PREFIX_AFFINITY);
        long now = System.nanoTime();
        String key = "k";
        Upstream home = pool.pick(Set.of(), now, key);
        Upstream second = pool.pick(Set.of(home), now, key);
        assertThat(second).isNotSameAs(home);
        home.adoptEjection(now + TTL);
        assertThat(pool.pick(Set.of(), now, key)).isSameAs(second);
    }
}
