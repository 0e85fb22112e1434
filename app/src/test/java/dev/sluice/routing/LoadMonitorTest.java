package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Load read from a runtime's /metrics over loopback, and active health checks ejecting and reinstating. */
class LoadMonitorTest {
    private static final LoadMonitor.Settings SETTINGS = new LoadMonitor.Settings(Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 2);

    @Test
    void reads_vllm_metrics_for_a_load_aware_pool_and_nothing_for_a_weighted_one() throws Exception {
        try (Fleet fleet = new Fleet(); FakeRuntime busy = FakeRuntime.vllm(); FakeRuntime plain = FakeRuntime.vllm()) {
            Upstream u = fleet.upstream("busy", "m", busy, 1, 3, Duration.ofSeconds(30));
            Upstream w = fleet.upstream("plain", "w", plain, 1, 3, Duration.ofSeconds(30));
            Router router = new Router(List.of(new Pool("m", List.of(u), Pool.Strategy.LEAST_LOADED),
                    new Pool("w", List.of(w), Pool.Strategy.WEIGHTED)), Map.of(), Map.of(), Fleet.retries(0),
                    new RetryBudget(1, 10), Router.RouteEvents.NONE);
            busy.enqueue("/metrics", Reply.text(200, """
                    # TYPE vllm:num_requests_running gauge
                    vllm:num_requests_running{engine="0",model_name="m"} 4.0
                    vllm:num_requests_waiting{engine="0",model_name="m"} 9.0
                    vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.5
                    """));
            LoadMonitor monitor = new LoadMonitor(router, SETTINGS, Router.RouteEvents.NONE);
            monitor.readLoad().get(5, TimeUnit.SECONDS);

            assertThat(u.signal()).isNotNull();
            assertThat(u.signal().running()).isEqualTo(4);
            assertThat(u.signal().waiting()).isEqualTo(9);
            assertThat(u.load(System.nanoTime(), Pool.CACHE_WEIGHT)).isEqualTo(4 + 9 + 9 + 4 * 0.5);
            assertThat(busy.requests()).extracting(r -> r.path()).containsExactly("/metrics");
            assertThat(plain.requests()).as("a weighted pool's runtime is not scraped").isEmpty();

            // a page that went away (404, restart without metrics) leaves the last reading to expire
            monitor.readLoad().get(5, TimeUnit.SECONDS);
            assertThat(u.signal().waiting()).isEqualTo(9);
        }
    }

    @Test
    void active_checks_hold_out_a_deployment_after_failed_probes_and_bring_it_back_after_good_ones()
            throws Exception {
        try (Fleet fleet = new Fleet(); FakeRuntime sick = FakeRuntime.vllm(); FakeRuntime fine = FakeRuntime.vllm()) {
            Upstream s = fleet.upstream("sick", "m", sick, 1, 3, Duration.ofSeconds(30));
            Upstream f = fleet.upstream("fine", "m", fine, 1, 3, Duration.ofSeconds(30));
            Pool pool = new Pool("m", List.of(s, f), Pool.Strategy.WEIGHTED);
            Router router = new Router(List.of(pool), Map.of(), Map.of(), Fleet.retries(0), new RetryBudget(1, 10),
                    fleet.events);
            LoadMonitor monitor = new LoadMonitor(router, SETTINGS, fleet.events);
            Reply down = new Reply.Body(503, "application/json", "{}".getBytes(), Map.of(), Duration.ZERO);
            sick.enqueue("/health", down).enqueue("/health", down);

            monitor.checkHealth().get(5, TimeUnit.SECONDS);
            assertThat(s.ejected(System.nanoTime())).as("one failed probe is below the threshold").isFalse();
            monitor.checkHealth().get(5, TimeUnit.SECONDS);
            assertThat(s.ejected(System.nanoTime())).isTrue();
            assertThat(fleet.events.ejections).extracting(Map.Entry::getKey).containsExactly("sick");
            for (int i = 0; i < 10; i++) {
                assertThat(pool.pick(java.util.Set.of(), System.nanoTime())).isSameAs(f);
            }

            monitor.checkHealth().get(5, TimeUnit.SECONDS);
            assertThat(s.ejected(System.nanoTime())).as("one good probe is below the threshold").isTrue();
            monitor.checkHealth().get(5, TimeUnit.SECONDS);
            assertThat(s.ejected(System.nanoTime())).isFalse();
            assertThat(f.ejected(System.nanoTime())).isFalse();
        }
    }

    @Test
    void after_a_reload_the_new_deployments_are_read_and_probed_and_the_old_ones_are_not() throws Exception {
        try (Fleet fleet = new Fleet(); FakeRuntime old = FakeRuntime.vllm(); FakeRuntime added = FakeRuntime.vllm()) {
            Upstream o = fleet.upstream("old", "m", old, 1, 3, Duration.ofSeconds(30));
            Router router = new Router(List.of(new Pool("m", List.of(o), Pool.Strategy.WEIGHTED)), Map.of(),
                    Map.of(), Fleet.retries(0), new RetryBudget(1, 10), fleet.events);
            LoadMonitor monitor = new LoadMonitor(router, SETTINGS, fleet.events);
            monitor.readLoad().get(5, TimeUnit.SECONDS);
            assertThat(old.requests()).as("a weighted pool is not scraped").isEmpty();

            // the reload makes the pool load-aware and swaps its deployment
            Upstream a = fleet.upstream("added", "m", added, 1, 3, Duration.ofSeconds(30));
            router.replaceWith(new Router(List.of(new Pool("m", List.of(a), Pool.Strategy.LEAST_LOADED)), Map.of(),
                    Map.of(), Fleet.retries(0), new RetryBudget(1, 10), fleet.events));
            added.enqueue("/metrics", Reply.text(200, """
                    vllm:num_requests_running{model_name="m"} 2.0
                    vllm:num_requests_waiting{model_name="m"} 3.0
                    """));
            monitor.readLoad().get(5, TimeUnit.SECONDS);
            assertThat(a.signal()).isNotNull();
            assertThat(a.signal().waiting()).isEqualTo(3);

            Reply down = new Reply.Body(503, "application/json", "{}".getBytes(), Map.of(), Duration.ZERO);
            added.enqueue("/health", down).enqueue("/health", down);
            monitor.checkHealth().get(5, TimeUnit.SECONDS);
            monitor.checkHealth().get(5, TimeUnit.SECONDS);
            assertThat(a.ejected(System.nanoTime())).as("the new deployment is probed").isTrue();
            assertThat(old.requests()).as("the old one is neither scraped nor probed").isEmpty();
        }
    }

    @Test
    void the_limit_is_read_from_tgi_sglang_and_llamacpp_unless_max_concurrency_is_set() throws Exception {
        try (Fleet fleet = new Fleet(); FakeRuntime tgi = FakeRuntime.tgi(); FakeRuntime sglang = FakeRuntime.sglang();
                FakeRuntime unset = FakeRuntime.sglang(); FakeRuntime llama = FakeRuntime.llamacpp();
                FakeRuntime own = FakeRuntime.tgi(); FakeRuntime vllm = FakeRuntime.vllm()) {
            Upstream t = fleet.upstream("tgi", "m", tgi, 1, 3, Duration.ofSeconds(30));
            Upstream s = fleet.upstream("sglang", "m", sglang, 1, 3, Duration.ofSeconds(30));
            Upstream n = fleet.upstream("unset", "m", unset, 1, 3, Duration.ofSeconds(30));
            Upstream l = fleet.upstream("llama", "m", llama, 1, 3, Duration.ofSeconds(30));
            Upstream o = new Upstream("own", "m", fleet.backend(own, null), null, 1, 3, Duration.ofSeconds(30), null,
                    Map.of(), null, 5);
            Upstream v = fleet.upstream("vllm", "m", vllm, 1, 3, Duration.ofSeconds(30));
            Router router = new Router(List.of(new Pool("m", List.of(t, s, n, l, o, v), Pool.Strategy.WEIGHTED)),
                    Map.of(), Map.of(), Fleet.retries(0), new RetryBudget(1, 10), Router.RouteEvents.NONE);
            // the shapes TGI 3.3 and SGLang publish (abridged)
            tgi.enqueue("/info", Reply.json("""
                    {"model_id":"Qwen/Qwen2.5-7B-Instruct","max_input_tokens":4096,"max_total_tokens":8192,
                     "max_concurrent_requests":128,"max_client_batch_size":4,"version":"3.3.6-dev0"}"""));
            sglang.enqueue("/get_server_info", Reply.json("""
                    {"model_path":"m","mem_fraction_static":0.907,"max_running_requests":48,
                     "max_queued_requests":null,"internal_states":[{"max_running_requests":48}],"version":"0.5.4"}"""));
            unset.enqueue("/get_server_info", Reply.json("{\"model_path\":\"m\",\"max_running_requests\":null}"));
            llama.enqueue("/slots", Reply.json("""
                    [{"id":0,"is_processing":false},{"id":1,"is_processing":true},{"id":2,"is_processing":false},
                     {"id":3,"is_processing":false}]"""));
            new LoadMonitor(router, SETTINGS, Router.RouteEvents.NONE).readCapacity().get(5, TimeUnit.SECONDS);

            assertThat(t.limit()).isEqualTo(128);
            assertThat(s.limit()).isEqualTo(48);
            assertThat(n.limit()).as("not set at launch: no limit").isZero();
            assertThat(l.limit()).as("llama-server -np 4").isEqualTo(4);
            assertThat(o.limit()).as("max_concurrency wins").isEqualTo(5);
            assertThat(own.requests()).as("nor is its page read").isEmpty();
            assertThat(v.limit()).as("vLLM says nothing").isZero();
            assertThat(vllm.requests()).isEmpty();

            // a page that goes away leaves the last limit; a restart with another one is seen at the next read
            tgi.enqueue("/info", Reply.json("{\"max_concurrent_requests\":64}"));
            LoadMonitor again = new LoadMonitor(router, SETTINGS, Router.RouteEvents.NONE);
            again.readCapacity().get(5, TimeUnit.SECONDS);
            assertThat(t.limit()).isEqualTo(64);
            again.readCapacity().get(5, TimeUnit.SECONDS);
            assertThat(t.limit()).isEqualTo(64);
            assertThat(s.limit()).isEqualTo(48);
        }
    }
}
