package dev.sluice.keys;

import static dev.sluice.keys.KeyAdminTest.MASTER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.env.EnvSettings;
import dev.sluice.testing.Gateway;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * Two gateways sharing one embedded Redis: a key created on one works on the other within a second, a rotation and a
 * revocation reach the other as fast, and the name is unique across both.
 */
class KeyAdminRedisTest {
    /** The bound the issue sets; on a loaded box without -Dsluice.timed=true the test allows more and prints it. */
    static final long BOUND_MS = Boolean.getBoolean("sluice.timed") ? 1_000 : 3_000;
    static RedisServer redis;
    static Path config;
    static Gateway a;
    static Gateway b;

    @BeforeAll
    static void start() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        redis = new RedisServer(port);
        redis.start();
        config = Files.createTempFile("sluice-admin-redis", ".yaml");
        Files.writeString(config, """
                model_list:
                  - {model_name: chat, params: {model: sim/chat}}
                general_settings:
                  master_key: %s
                """.formatted(MASTER));
        a = gateway(port);
        b = gateway(port);
    }

    static Gateway gateway(int port) {
        return Gateway.builder().env("SIM_TTFT_MS", 0).env("SIM_TOKENS_PER_S", 0)
                .env("REDIS_URL", "redis://127.0.0.1:" + port + "/0").env("REDIS_TIMEOUT_MS", 2000)
                .env("sluice.config.file", config.toString()).start();
    }

    @AfterAll
    static void stop() throws IOException {
        a.close();
        b.close();
        redis.stop();
        Files.deleteIfExists(config);
        Files.deleteIfExists(EnvSettings.keysFile(name -> null, config));
    }

    /** Milliseconds until {@code g} answers {@code secret} with a status {@code ok} accepts. */
    static long until(Gateway g, String secret, IntPredicate ok) throws InterruptedException {
        long start = System.nanoTime();
        while (!ok.test(KeyAdminTest.chat(g, secret, "chat").statusCode())) {
            assertThat((System.nanoTime() - start) / 1_000_000).as("ms waited").isLessThan(BOUND_MS);
            Thread.sleep(20);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void aKeyCreatedOnOneReplicaWorksOnTheOtherWithinASecondAndSoDoesItsRevocation() throws Exception {
        assertThat(b.bean(KeyAdmin.class)).isNotNull();
        String secret = KeyAdminTest.create(a, "{\"name\":\"shared\",\"models\":[\"chat\"]}");
        assertThat(KeyAdminTest.chat(a, secret, "chat").statusCode()).as("at once on the replica that created it")
                .isEqualTo(200);
        long seen = until(b, secret, s -> s == 200);
        System.out.println("key-admin: the other replica accepted a new key after " + seen + " ms");
        assertThat(KeyAdminTest.admin(b, "GET", "/admin/keys/shared", null).statusCode()).isEqualTo(200);
        assertThat(KeyAdminTest.admin(b, "POST", "/admin/keys", "{\"name\":\"shared\"}").statusCode()).isEqualTo(409);

        String next = com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                .readTree(KeyAdminTest.admin(b, "POST", "/admin/keys/shared/rotate", "{\"grace_seconds\":0}").body())
                .path("secret").asText();
        long rotated = until(a, next, s -> s == 200);
        assertThat(KeyAdminTest.chat(a, secret, "chat").statusCode()).as("no grace: the old secret is out")
                .isEqualTo(401);

        assertThat(KeyAdminTest.admin(a, "DELETE", "/admin/keys/shared", null).statusCode()).isEqualTo(200);
        long revoked = until(b, next, s -> s == 401);
        System.out.println("key-admin: rotation seen after " + rotated + " ms, revocation after " + revoked + " ms");
    }
}
