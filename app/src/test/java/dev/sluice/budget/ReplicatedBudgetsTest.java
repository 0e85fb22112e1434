package dev.sluice.budget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.Reply;
import dev.sluice.testing.TestClock;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * Two gateways sharing one real Redis: spend added on either is one integer sum, so a budget holds across them
 * exactly, and concurrent requests on both add up to the cent (to the nano-dollar) in /v1/usage.
 */
class ReplicatedBudgetsTest {
    static final String MASTER = "master-key-for-the-replicated-budgets-0123";
    /** 1000 input × $1/M + 500 output × $2/M. */
    static final String COST = "0.002";
    static RedisServer redis;
    static FakeRuntime fake;
    static Path file;
    static final List<Gateway> gateways = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        redis = new RedisServer(port);
        redis.start();
        fake = FakeRuntime.vllm();
        file = Files.createTempFile("sluice-replicated-budgets", ".yaml");
        Files.writeString(file, """
                model_list:
                  - model_name: chat
                    params: {model: vllm/served, api_base: %s}
                    price: {input: 1, output: 2}
                keys:
                  - {name: shared, key: shared-secret-0123456789abcdef0123, budget: {daily: 0.01}}
                  - {name: busy, key: busy-secret-0123456789abcdef012345}
                general_settings:
                  master_key: %s
                """.formatted(fake.baseUrl(), MASTER));
        Instant noon = Instant.parse("2026-12-07T12:00:00Z");
        for (int i = 0; i < 2; i++) {
            // a generous Redis timeout: this test is about exact sums, not about a slow box's fallback
            gateways.add(Gateway.builder().env("REDIS_URL", "redis://127.0.0.1:" + port + "/0")
                    .env("REDIS_TIMEOUT_MS", 2000).env("sluice.config.file", file.toString())
                    .singleton(TestClock.at(noon)).start());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        gateways.forEach(Gateway::close);
        fake.close();
        redis.stop();
        Files.deleteIfExists(file);
    }

    static HttpResponse<String> chat(Gateway g, String key) {
        return g.post("/v1/chat/completions", "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"hi\"}]}", "Authorization", "Bearer " + key);
    }

    static void reply() {
        reply(fake);
    }

    static void reply(FakeRuntime fake) {
        fake.enqueue(Reply.json("{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"served\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":500,"
                + "\"total_tokens\":1500}}"));
    }

    /** The key's entry as {@code g} reports it, once it counts {@code requests} (spend settles after the answer). */
    static JsonNode settled(Gateway g, String key, long requests) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        JsonNode day = null;
        while (System.nanoTime() < end) {
            day = Gateway.json(g.get("/v1/usage", "Authorization", "Bearer " + key)).at("/keys/0/day");
            if (day.path("requests").asLong() >= requests) {
                break;
            }
            Thread.sleep(10);
        }
        assertThat(day.path("requests").asLong()).as(String.valueOf(day)).isEqualTo(requests);
        return day;
    }

    @Test
    void aBudgetSpentOnTwoReplicasIsSpentOnBoth() throws Exception {
        String key = "shared-secret-0123456789abcdef0123";
        for (int i = 0; i < 5; i++) {
            reply();
            HttpResponse<String> r = chat(gateways.get(i % 2), key);
            assertThat(r.statusCode()).as("request %d: %s", i, r.body()).isEqualTo(200);
            settled(gateways.get((i + 1) % 2), key, i + 1); // the other replica sees it
        }
        // 5 × $0.002 = $0.01: the daily budget, to the nano-dollar, on both replicas
        for (Gateway g : gateways) {
            assertThat(settled(g, key, 5).path("spend").decimalValue()).isEqualByComparingTo("0.01");
            HttpResponse<String> refused = chat(g, key);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(Gateway.json(refused).at("/error/message").asText())
                    .startsWith("budget exceeded: API key 'shared' has spent its daily budget of $0.01 ($0.01 today)");
        }
        for (Gateway g : gateways) {
            assertThat(g.bean(BudgetGate.class).fallbackDecisions()).as("every check was Redis'").isZero();
        }
    }

    @Test
    void concurrentRequestsOnBothReplicasAddUpExactly() throws Exception {
        int n = 40;
        for (int i = 0; i < n; i++) {
            reply();
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Gateway g = gateways.get(i % 2);
                sent.add(pool.submit(() -> chat(g, "busy-secret-0123456789abcdef012345").statusCode()));
            }
            for (Future<Integer> f : sent) {
                assertThat(f.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        JsonNode day = settled(gateways.get(0), "busy-secret-0123456789abcdef012345", n);
        assertThat(day.path("spend").decimalValue()).isEqualByComparingTo(new java.math.BigDecimal(COST)
                .multiply(java.math.BigDecimal.valueOf(n)));
        assertThat(day.path("input_tokens").asLong()).isEqualTo(1000L * n);
        assertThat(day.path("output_tokens").asLong()).isEqualTo(500L * n);
        JsonNode all = Gateway.json(gateways.get(1).get("/v1/usage", "Authorization", "Bearer " + MASTER));
        assertThat(all.path("keys").findValuesAsText("name")).contains("busy", "shared");
        assertThat(all.at("/models/0/name").asText()).isEqualTo("chat");
        assertThat(all.at("/models/0/month/requests").asLong()).isGreaterThanOrEqualTo(n);
    }
}
