package dev.sluice.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.Gateway;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * Issue 13 item 2: one tenant must not be able to break the shared limiter for everyone. Key A sends token fields
 * that once overflowed the reservation or reached Redis in exponent notation ("value is not an integer"), which
 * counted as Redis failures, paused Redis and decided every tenant by the failure mode. Key B, meanwhile, must
 * never see a 503 and no decision may fall back.
 */
class HostileTokenFieldsTest {
    static final String CONFIG = """
            model_list:
              - {model_name: chat, params: {model: sim/chat}}
            keys:
              - {name: tenant-a, key: a-secret, tpm: 1000000}
              - {name: tenant-b, key: b-secret, tpm: 1000000}
            """;
    /** Long.MAX, 1e17, -1, 1.5 and "9e18", as max_tokens and as max_completion_tokens. */
    static final List<String> HOSTILE = List.of("9223372036854775807", "1e17", "100000000000000000", "-1", "1.5",
            "\"9e18\"", "18446744073709551616", "1e308");

    static RedisServer redis;
    static Path file;
    static Gateway gateway;

    @BeforeAll
    static void start() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        redis = new RedisServer(port);
        redis.start();
        file = Files.createTempFile("sluice-hostile-tokens", ".yaml");
        Files.writeString(file, CONFIG);
        // closed: a decision that falls back is a 503 the tenant sees, so a broken limiter cannot hide
        gateway = Gateway.builder().env("SIM_TTFT_MS", 0).env("SIM_TOKENS_PER_S", 0)
                .env("REDIS_URL", "redis://127.0.0.1:" + port + "/0").env("REDIS_TIMEOUT_MS", 2000)
                .env("REDIS_FAILURE_MODE", "closed").env("sluice.config.file", file.toString()).start();
    }

    @AfterAll
    static void stop() throws IOException {
        gateway.close();
        redis.stop();
        Files.deleteIfExists(file);
    }

    static String body(String field, String value) {
        return "{\"model\":\"chat\",\"" + field + "\":" + value
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
    }

    @Test
    void hostileTokenFieldsAreRefusedAtTheEdgeAndNeverBreakTheLimiterForAnotherTenant() throws Exception {
        AtomicBoolean attacking = new AtomicBoolean(true);
        List<Integer> bStatuses = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<Void> tenantB = CompletableFuture.runAsync(() -> {
                while (attacking.get()) {
                    bStatuses.add(gateway.post("/v1/chat/completions", body("max_tokens", "8"), "Authorization",
                            "Bearer b-secret").statusCode());
                }
            }, pool);
            ConcurrentHashMap<String, Integer> aStatuses = new ConcurrentHashMap<>();
            for (int round = 0; round < 5; round++) {
                for (String field : List.of("max_tokens", "max_completion_tokens")) {
                    for (String value : HOSTILE) {
                        HttpResponse<String> r = gateway.post("/v1/chat/completions", body(field, value),
                                "Authorization", "Bearer a-secret");
                        aStatuses.put(field + "=" + value, r.statusCode());
                        assertThat(r.statusCode()).as(field + "=" + value + ": " + r.body()).isEqualTo(400);
                        assertThat(Gateway.json(r.body()).path("error").path("param").asText()).isEqualTo(field);
                    }
                    HttpResponse<String> m = gateway.post("/v1/messages", body(field, HOSTILE.get(round)),
                            "x-api-key", "a-secret", "anthropic-version", "2023-06-01");
                    assertThat(m.statusCode()).as(m.body()).isEqualTo(400);
                }
            }
            attacking.set(false);
            tenantB.get();
            System.out.printf("HOSTILE tokens: tenant A refused %s; tenant B %d requests, statuses %s, fallbacks %d%n",
                    aStatuses.values().stream().distinct().toList(), bStatuses.size(),
                    bStatuses.stream().distinct().toList(), gateway.bean(RequestLimits.class).fallbackDecisions());
            assertThat(bStatuses).isNotEmpty().containsOnly(200);
            assertThat(gateway.bean(RequestLimits.class).fallbackDecisions()).isZero();
            // an ordinary large request is still admitted and charged
            assertThat(gateway.post("/v1/chat/completions", body("max_tokens", "100000"), "Authorization",
                    "Bearer a-secret").statusCode()).isEqualTo(200);
        } finally {
            attacking.set(false);
            pool.shutdownNow();
        }
    }

    @Test
    void aReservationFarBeyondAnyLimitIsAnOrdinaryDecisionInRedisNotAFailure() throws Exception {
        RequestLimits limits = gateway.bean(RequestLimits.class);
        long before = limits.fallbackDecisions();
        for (long reserve : new long[] {Long.MAX_VALUE, 100_000_000_000_000_000L, (1L << 53) + 1, -5}) {
            RequestLimits.Admission a = limits.admit(List.of(new RequestLimits.Limit("key:direct-" + reserve,
                    RequestLimits.Kind.TOKENS, 1000)), reserve).get();
            // an empty counter admits one oversized request per window (the shared rule), and Redis stays healthy
            assertThat(a.unavailable()).as("reserve " + reserve).isFalse();
        }
        assertThat(limits.fallbackDecisions()).isEqualTo(before);
    }
}
