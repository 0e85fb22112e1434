package dev.sluice.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.Gateway;
import dev.sluice.testing.TestClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * Three gateways sharing one real Redis (embedded-redis) and the built-in simulator: request and token limits
 * per key hold across replicas (G8, scaled down), and a Redis stopped mid-run hands over to the failure mode
 * within REDIS_TIMEOUT_MS.
 */
class SharedLimitsTest {
    static final int RPM = 300;
    static final int TPM = 3000;
    static final String CONFIG = """
            model_list:
              - {model_name: chat, params: {model: sim/chat}}
            keys:
              - {name: team-a, key: a-secret, rpm: %d}
              - {name: team-t, key: t-secret, tpm: %d}
              - {name: team-f, key: f-secret, rpm: 300}
              - {name: team-s, key: s-secret, tpm: 1000000}
            """.formatted(RPM, TPM);

    /** Every gateway's clock: the limit windows move only when a test moves it. */
    static final TestClock CLOCK = TestClock.at(Instant.now());
    static RedisServer redis;
    static int redisPort;
    static Path file;
    static final List<Gateway> gateways = new ArrayList<>();
    static RedisClient client;
    static StatefulRedisConnection<String, String> conn;

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Gateway gateway(int port, String... env) {
        Gateway.Builder b = Gateway.builder().env("SIM_TTFT_MS", 0).env("SIM_TOKENS_PER_S", 0)
                .env("REDIS_URL", "redis://127.0.0.1:" + port + "/0").env("sluice.config.file", file.toString())
                .singleton(CLOCK);
        for (int i = 0; i < env.length; i += 2) {
            b.env(env[i], env[i + 1]);
        }
        return b.start();
    }

    @BeforeAll
    static void start() throws IOException {
        redisPort = freePort();
        redis = new RedisServer(redisPort);
        redis.start();
        file = Files.createTempFile("sluice-shared", ".yaml");
        Files.writeString(file, CONFIG);
        for (int i = 0; i < 3; i++) {
            // a generous timeout: on a loaded 2-core test box a 50 ms decision would sometimes fall back, and this
            // test measures Redis' accuracy, not the failure mode's (asserted: no decision fell back)
            gateways.add(gateway(redisPort, "REDIS_TIMEOUT_MS", "2000"));
        }
        client = RedisClient.create("redis://127.0.0.1:" + redisPort);
        conn = client.connect();
    }

    @AfterAll
    static void stop() throws IOException {
        gateways.forEach(Gateway::close);
        conn.close();
        client.shutdown();
        redis.stop();
        Files.deleteIfExists(file);
    }

    /** Starts a run with full buckets (an hour on drains every one) at a time that stands until the next run. */
    static void freshWindow() {
        CLOCK.advance(java.time.Duration.ofHours(1));
    }

    static String body(int maxTokens) {
        return "{\"model\":\"chat\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"count the requests please\"}]}";
    }

    /** Sends {@code n} requests over the three gateways from 24 threads; returns the 200 responses' bodies. */
    static List<String> offer(int n, String key, String body, AtomicInteger refused) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(24);
        try {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Gateway g = gateways.get(i % 3);
                futures.add(pool.submit(() -> g.post("/v1/chat/completions", body, "Authorization", "Bearer " + key)));
            }
            List<String> ok = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) {
                HttpResponse<String> r = f.get();
                if (r.statusCode() == 200) {
                    ok.add(r.body());
                } else {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
                    assertThat(r.headers().firstValue("retry-after")).isPresent();
                    refused.incrementAndGet();
                }
            }
            return ok;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void threeReplicasAdmitTheKeysRequestLimitWithinTwoPercentUnderThreeTimesTheLoad() throws Exception {
        freshWindow();
        AtomicInteger refused = new AtomicInteger();
        long t0 = System.nanoTime();
        List<String> ok = offer(3 * RPM, "a-secret", body(4), refused);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("LIMITS requests: limit %d/min, offered %d over 3 replicas in %d ms, admitted %d, refused %d"
                + " (error %+.2f %%)%n", RPM, 3 * RPM, ms, ok.size(), refused.get(), 100.0 * (ok.size() - RPM) / RPM);
        assertThat(ok.size()).isBetween((int) Math.floor(RPM * 0.98), (int) Math.ceil(RPM * 1.02));
        assertThat(ok.size() + refused.get()).isEqualTo(3 * RPM);
        assertThat(fallbacks()).isZero();
    }

    @Test
    void tokenLimitOvershootsByAtMostOneReservationPerReplicaAndSettlesToRealUsage() throws Exception {
        freshWindow();
        String body = body(10);
        long reservation = body.length() / 4 + 10;
        AtomicInteger refused = new AtomicInteger();
        List<String> ok = offer(300, "t-secret", body, refused);
        long used = 0;
        for (String b : ok) {
            used += Gateway.json(b).path("usage").path("total_tokens").asLong();
        }
        long counted = settledCounter("key:team-t:tpm", used);
        System.out.printf("LIMITS tokens: limit %d/min, reservation %d, admitted %d requests using %d tokens"
                + " (overshoot %d, bound %d), counter after settlement %d%n", TPM, reservation, ok.size(), used,
                Math.max(0, used - TPM), 3 * reservation, counted);
        assertThat(used).isLessThanOrEqualTo(TPM + 3 * reservation);
        assertThat(used).isGreaterThan(TPM - 24 * reservation);
        assertThat(fallbacks()).isZero();
        assertThat(counted).isEqualTo(used); // every reservation was replaced by the real usage
    }

    static long fallbacks() {
        return gateways.stream().mapToLong(g -> g.bean(RequestLimits.class).fallbackDecisions()).sum();
    }

    /** The counter in the current window, once settlements have landed (waits up to 2 s for {@code expected}). */
    static long settledCounter(String counter, long expected) throws InterruptedException {
        long value = counter(counter);
        for (int i = 0; i < 40 && value != expected; i++) {
            Thread.sleep(50);
            value = counter(counter);
        }
        return value;
    }

    /** The bucket's level in requests or tokens (0 when it has none); the clock stands still, so nothing drains. */
    static long counter(String counter) {
        String v = conn.sync().hget(RedisBuckets.PREFIX + counter, "l");
        return v == null ? 0 : Long.parseLong(v) / Gcra.UNITS;
    }

    @Test
    void streamedResponsesSettleFromTheirUsage() throws Exception {
        String body = "{\"model\":\"chat\",\"max_tokens\":1000,\"stream\":true,\"stream_options\":"
                + "{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"stream\"}]}";
        freshWindow();
        long before = counter("key:team-s:tpm");
        HttpResponse<String> r = gateways.get(0).post("/v1/chat/completions", body, "Authorization", "Bearer s-secret");
        assertThat(r.statusCode()).isEqualTo(200);
        String usageLine = r.body().lines().filter(l -> l.contains("\"usage\":{")).reduce((a, b) -> b).orElseThrow();
        long total = Gateway.json(usageLine.substring(5)).path("usage").path("total_tokens").asLong();
        assertThat(total).isLessThan(1000);
        long after = settledCounter("key:team-s:tpm", Math.max(0, before) + total);
        assertThat(after - Math.max(0, before)).isEqualTo(total);
    }

    @Test
    void redisStoppedMidRunFailsOpenToALocalWindowOrClosedWithin503WithoutWaitingPastTheTimeout() throws Exception {
        int port = freePort();
        RedisServer own = new RedisServer(port);
        own.start();
        try (Gateway open = gateway(port, "REDIS_TIMEOUT_MS", "50", "REDIS_REPLICAS_HINT", "3");
                Gateway closed = gateway(port, "REDIS_TIMEOUT_MS", "50", "REDIS_FAILURE_MODE", "closed")) {
            assertThat(firstOk(open)).isTrue();
            assertThat(firstOk(closed)).isTrue();
            own.stop();
            AtomicLong slowest = new AtomicLong();
            int openOk = 0;
            int closed503 = 0;
            for (int i = 0; i < 40; i++) {
                long t0 = System.nanoTime();
                int s1 = open.post("/v1/chat/completions", body(2), "Authorization", "Bearer f-secret").statusCode();
                slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
                t0 = System.nanoTime();
                HttpResponse<String> c = closed.post("/v1/chat/completions", body(2), "Authorization",
                        "Bearer f-secret");
                slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
                openOk += s1 == 200 ? 1 : 0;
                if (c.statusCode() == 503) {
                    closed503++;
                    assertThat(c.headers().firstValue("retry-after")).hasValue("1");
                }
            }
            System.out.printf("LIMITS redis down: open admitted %d/40, closed refused %d/40, slowest request %d ms%n",
                    openOk, closed503, slowest.get() / 1_000_000);
            assertThat(openOk).isEqualTo(40); // local window: 300 / REDIS_REPLICAS_HINT 3 = 100 per minute
            assertThat(closed503).isEqualTo(40);
            assertThat(slowest.get() / 1_000_000).isLessThan(50 + 250);
        } finally {
            own.stop();
        }
    }

    /**
     * Whether Redis admits a request within a few tries: on a loaded 2-core box a cold first decision can miss a
     * 50 ms timeout, which in closed mode is a 503 before Redis was ever stopped.
     */
    static boolean firstOk(Gateway g) throws InterruptedException {
        for (int i = 0; i < 10; i++) {
            if (g.post("/v1/chat/completions", body(2), "Authorization", "Bearer f-secret").statusCode() == 200) {
                return true;
            }
            Thread.sleep(300);
        }
        return false;
    }

    @Test
    void aHungRedisCostsNoRequestMoreThanTheTimeout() throws Exception {
        try (FreezingProxy proxy = new FreezingProxy(redisPort);
                Gateway g = gateway(proxy.port(), "REDIS_TIMEOUT_MS", "50", "REDIS_REPLICAS_HINT", "3")) {
            assertThat(g.post("/v1/chat/completions", body(2), "Authorization", "Bearer f-secret").statusCode())
                    .isEqualTo(200);
            assertThat(g.bean(RequestLimits.class).fallbackDecisions()).isZero();
            proxy.freeze();
            long slowest = 0;
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                int status = g.post("/v1/chat/completions", body(2), "Authorization", "Bearer f-secret").statusCode();
                slowest = Math.max(slowest, System.nanoTime() - t0);
                assertThat(status).isEqualTo(200);
            }
            System.out.printf("LIMITS redis hung: 20/20 admitted by the local window, slowest request %d ms"
                    + " (REDIS_TIMEOUT_MS=50)%n", slowest / 1_000_000);
            assertThat(g.bean(RequestLimits.class).fallbackDecisions()).isEqualTo(20);
            assertThat(slowest / 1_000_000).isLessThan(50 + 250);
        }
    }

    @Test
    void theConfigFilesRedisUrlSharesTheLimitsWithoutAnyRedisVariable() throws Exception {
        Path own = Files.createTempFile("sluice-redis-in-file", ".yaml");
        Files.writeString(own, CONFIG + """
                general_settings:
                  redis_url: redis://127.0.0.1:${TEST_REDIS_PORT}/0
                  redis_timeout_ms: 2000
                """);
        try (Gateway g = Gateway.builder().env("TEST_REDIS_PORT", redisPort).env("sluice.config.file", own.toString())
                .singleton(CLOCK).start()) {
            assertThat(g.bean(RequestLimits.class).shared()).isTrue();
            String body = body(3);
            assertThat(g.post("/v1/chat/completions", body, "Authorization", "Bearer s-secret").statusCode())
                    .isEqualTo(200);
            assertThat(counter("key:team-s:tpm")).isPositive(); // charged in the shared Redis
        } finally {
            Files.deleteIfExists(own);
        }
        try (Gateway none = Gateway.builder().env("sluice.config.file", file.toString()).start()) {
            assertThat(none.bean(RequestLimits.class).shared()).isFalse(); // no REDIS_URL: in process, no connection
        }
    }
}
