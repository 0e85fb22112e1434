package dev.sluice.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * Redis stops and comes back: with REDIS_FAILURE_MODE=closed a budgeted key is refused (503) rather than let through
 * unchecked, and spend settled during the outage is kept and added once Redis takes additions again.
 */
class SpendRedisOutageTest {
    static int port;
    static RedisServer redis;
    static FakeRuntime fake;
    static Path file;
    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        redis = new RedisServer(port);
        redis.start();
        fake = FakeRuntime.vllm();
        file = Files.createTempFile("sluice-spend-outage", ".yaml");
        Files.writeString(file, """
                model_list:
                  - {model_name: chat, params: {model: vllm/served, api_base: %s}, price: {input: 1, output: 2}}
                keys:
                  - {name: budgeted, key: budgeted-secret-0123456789abcdef01, budget: {daily: 1}}
                  - {name: free, key: free-secret-0123456789abcdef0123456}
                """.formatted(fake.baseUrl()));
        gateway = Gateway.builder().env("REDIS_URL", "redis://127.0.0.1:" + port + "/0").env("REDIS_FAILURE_MODE",
                "closed").env("REDIS_TIMEOUT_MS", 1000).env("sluice.config.file", file.toString()).start();
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        fake.close();
        redis.stop();
        Files.deleteIfExists(file);
    }

    static HttpResponse<String> chat(String key) {
        ReplicatedBudgetsTest.reply(fake);
        return gateway.post("/v1/chat/completions", "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}", "Authorization", "Bearer " + key);
    }

    static HttpResponse<String> usage(String key) {
        return gateway.get("/v1/usage", "Authorization", "Bearer " + key);
    }

    @Test
    void closedRefusesBudgetedKeysWhileRedisIsDownAndSpendFromTheOutageIsAddedAfter() throws Exception {
        assertThat(chat("budgeted-secret-0123456789abcdef01").statusCode()).isEqualTo(200);
        redis.stop();

        HttpResponse<String> refused = gateway.post("/v1/chat/completions", "{\"model\":\"chat\",\"messages\":[{"
                + "\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization",
                "Bearer budgeted-secret-0123456789abcdef01");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(Gateway.json(refused).at("/error/message").asText()).contains("REDIS_FAILURE_MODE=closed");
        assertThat(chat("free-secret-0123456789abcdef0123456").statusCode()).as("no budget, nothing to check")
                .isEqualTo(200);
        assertThat(usage("free-secret-0123456789abcdef0123456").statusCode()).isEqualTo(503);

        redis = new RedisServer(port); // an empty Redis: what the outage kept is all it will hold
        redis.start();
        long end = System.nanoTime() + 20_000_000_000L;
        while (usage("free-secret-0123456789abcdef0123456").statusCode() != 200 && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertThat(chat("free-secret-0123456789abcdef0123456").statusCode()).isEqualTo(200);
        long requests = 0;
        while (requests < 2 && System.nanoTime() < end) {
            Thread.sleep(20);
            requests = Gateway.json(usage("free-secret-0123456789abcdef0123456")).at("/keys/0/day/requests").asLong();
        }
        assertThat(requests).as("the request settled during the outage, and the one after").isEqualTo(2);
    }
}
