package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.EmbeddedRedis;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Replicas share load readings through Redis: one scrape per interval serves them all. */
class SharedLoadTest {
    private static final String METRICS = """
            vllm:num_requests_running{engine="0",model_name="m"} 4.0
            vllm:num_requests_waiting{engine="0",model_name="m"} 9.0
            vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.5
            """;
    /** A long interval, so a reading stays fresh however slow the machine; {@link #EVERY_MS} makes any stale. */
    private static final LoadMonitor.Settings SETTINGS = new LoadMonitor.Settings(Duration.ofSeconds(30),
            Duration.ZERO, Duration.ofSeconds(1), 2, 2);
    private static final LoadMonitor.Settings EVERY_MS = new LoadMonitor.Settings(Duration.ofMillis(1),
            Duration.ZERO, Duration.ofSeconds(1), 2, 2);

    /** One replica's view of the runtime: its own deployment object, backend and monitor. */
    private static LoadMonitor replica(EmbeddedRedis redis, Fleet fleet, FakeRuntime fake, Upstream[] out,
            LoadMonitor.Settings settings) throws Exception {
        Upstream u = fleet.upstream("vllm-a", "m", fake, 1, 3, Duration.ofSeconds(30));
        out[0] = u;
        Router router = new Router(List.of(new Pool("m", List.of(u), Pool.Strategy.LEAST_LOADED)), Map.of(),
                Map.of(), Fleet.retries(0), new RetryBudget(1, 10), Router.RouteEvents.NONE);
        SharedLoad shared = new SharedLoad(redis.url(), Duration.ofMillis(500));
        assertThat(shared.awaitConnected(Duration.ofSeconds(5))).isTrue();
        return new LoadMonitor(router, settings, Router.RouteEvents.NONE, shared);
    }

    private static long scrapes(FakeRuntime fake) {
        return fake.requests().stream().filter(r -> r.path().equals("/metrics")).count();
    }

    @Test
    void a_reading_one_replica_scraped_is_the_others_until_it_is_an_interval_old() throws Exception {
        try (EmbeddedRedis redis = new EmbeddedRedis(); Fleet fleet = new Fleet();
                FakeRuntime fake = FakeRuntime.vllm()) {
            for (int i = 0; i < 3; i++) {
                fake.enqueue("/metrics", Reply.text(200, METRICS));
            }
            Upstream[] a = new Upstream[1];
            Upstream[] b = new Upstream[1];
            Upstream[] c = new Upstream[1];
            try (LoadMonitor onA = replica(redis, fleet, fake, a, SETTINGS);
                    LoadMonitor onB = replica(redis, fleet, fake, b, SETTINGS);
                    LoadMonitor onC = replica(redis, fleet, fake, c, EVERY_MS);
                    SharedLoad look = new SharedLoad(redis.url(), Duration.ofSeconds(1))) {
                assertThat(look.awaitConnected(Duration.ofSeconds(5))).isTrue();
                onA.readLoad().get(5, TimeUnit.SECONDS);
                assertThat(scrapes(fake)).isEqualTo(1);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (look.fresh(List.of("vllm-a"), 60_000).get(5, TimeUnit.SECONDS).isEmpty()) {
                    assertThat(System.nanoTime()).as("A's reading published").isLessThan(deadline);
                    Thread.sleep(5); // the SET is asynchronous
                }
                onB.readLoad().get(5, TimeUnit.SECONDS);
                assertThat(scrapes(fake)).as("B took A's reading instead of scraping").isEqualTo(1);
                assertThat(b[0].signal().running()).isEqualTo(4);
                assertThat(b[0].signal().waiting()).isEqualTo(9);
                assertThat(b[0].signal().cacheUsage()).isEqualTo(0.5);
                assertThat(b[0].load(System.nanoTime(), Pool.CACHE_WEIGHT))
                        .isEqualTo(a[0].load(System.nanoTime(), Pool.CACHE_WEIGHT));

                Thread.sleep(5); // older than C's 1 ms interval: C reads the runtime itself
                onC.readLoad().get(5, TimeUnit.SECONDS);
                assertThat(scrapes(fake)).isEqualTo(2);
                assertThat(c[0].signal().running()).isEqualTo(4);

                redis.stop(); // Redis gone: each replica scrapes for itself, nothing fails
                onA.readLoad().get(5, TimeUnit.SECONDS);
                assertThat(scrapes(fake)).isEqualTo(3);
                assertThat(a[0].signal().running()).isEqualTo(4);
                redis.start();
            }
        }
    }

    @Test
    void a_published_value_that_is_not_five_numbers_is_ignored() {
        assertThat(SharedLoad.parse("1700000000000 4.0 9.0 0.5 NaN")).isNotNull();
        assertThat(SharedLoad.parse("1700000000000 4.0 9.0 0.5 NaN").capacity()).isNaN();
        assertThat(SharedLoad.parse("garbage")).isNull();
        assertThat(SharedLoad.parse("1 2 3 4 five")).isNull();
    }
}
