package dev.sluice.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.config.ConfigException;
import dev.sluice.config.env.ConfigLoader;
import dev.sluice.config.env.EnvSettings;
import dev.sluice.config.file.FileConfigLoader;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.TestClock;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Named keys from the config file, in process (no Redis): models, expiry, sha256 secrets, principal, 429s. */
class NamedKeysTest {
    static Path file;
    static Gateway gateway;

    static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @BeforeAll
    static void start() throws Exception {
        file = Files.createTempFile("sluice-keys", ".yaml");
        Files.writeString(file, """
                model_list:
                  - {model_name: chat, params: {model: sim/chat}}
                  - {model_name: small-1, params: {model: sim/small}}
                  - {model_name: other, params: {model: sim/other}}
                  - {model_name: capped, params: {model: sim/c1, rpm: 1}}
                  - {model_name: capped, params: {model: sim/c2, rpm: 2}}
                keys:
                  - {name: limited, key_sha256: %s, models: [chat, "small-*"]}
                  - {name: old, key: old-secret, expires: 2020-01-01}
                  - {name: one-rpm, key: "${ONE_RPM_KEY}", rpm: 1}
                  - {name: few-tokens, key: few-secret, tpm: 60}
                general_settings:
                  master_key: master
                """.formatted(sha256("hashed-secret")));
        // the limits here are per clock minute: a clock that stands at the start of one keeps them in one window
        TestClock clock = TestClock.at(Instant.now());
        clock.startOfNextWindow(RequestLimits.WINDOW_MILLIS);
        gateway = Gateway.builder().env("ONE_RPM_KEY", "one-secret").env("SIM_TTFT_MS", 0)
                .env("SIM_TOKENS_PER_S", 0).env("sluice.config.file", file.toString()).singleton(clock).start();
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        Files.deleteIfExists(file);
    }

    HttpResponse<String> openAi(String key, String model) {
        return gateway.post("/v1/chat/completions", chat(model), "Authorization", "Bearer " + key);
    }

    HttpResponse<String> anthropic(String key, String model) {
        return gateway.post("/v1/messages", chat(model), "x-api-key", key, "anthropic-version", "2023-06-01");
    }

    @Test
    void aKeyStoredAsSha256IsAcceptedForItsModelsOnlyAndLogsItsName() {
        Logger access = (Logger) LoggerFactory.getLogger("sluice.access");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        access.addAppender(events);
        Level before = access.getLevel();
        access.setLevel(Level.INFO);
        try {
            assertThat(openAi("hashed-secret", "chat").statusCode()).isEqualTo(200);
            assertThat(openAi("hashed-secret", "small-1").statusCode()).isEqualTo(200);
            HttpResponse<String> denied = openAi("hashed-secret", "other");
            assertThat(denied.statusCode()).isEqualTo(403);
            assertThat(Gateway.json(denied).path("error").path("message").asText())
                    .contains("'limited'").contains("'other'");
            HttpResponse<String> deniedA = anthropic("hashed-secret", "other");
            assertThat(deniedA.statusCode()).isEqualTo(403);
            assertThat(Gateway.json(deniedA).path("type").asText()).isEqualTo("error");
            assertThat(Gateway.json(deniedA).path("error").path("type").asText()).isEqualTo("permission_error");
            String logged = events.list.stream().map(e -> e.getFormattedMessage() + " "
                    + Arrays.toString(e.getArgumentArray())).reduce("", String::concat);
            assertThat(logged).contains("limited").doesNotContain("hashed-secret");
        } finally {
            access.detachAppender(events);
            access.setLevel(before);
        }
    }

    @Test
    void anAliasIsLimitedToTheSumOfItsDeploymentsRpmForEveryCaller() {
        int ok = 0;
        HttpResponse<String> r = null;
        for (int i = 0; i < 4; i++) {
            r = openAi(i % 2 == 0 ? "master" : "hashed-secret", "capped");
            ok += r.statusCode() == 200 ? 1 : 0;
        }
        // hashed-secret may not use 'capped' (403), so: master 200, 403, master 200, 403; then master again
        assertThat(ok).isEqualTo(2);
        assertThat(openAi("master", "capped").statusCode()).isEqualTo(200);
        r = openAi("master", "capped");
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(Gateway.json(r).path("error").path("message").asText()).contains("3 requests per minute")
                .contains("model 'capped'");
        assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
    }

    @Test
    void anExpiredKeyIs401() {
        HttpResponse<String> r = openAi("old-secret", "chat");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("expired").doesNotContain("old-secret");
        assertThat(openAi("master", "other").statusCode()).isEqualTo(200);
        assertThat(openAi("wrong", "chat").statusCode()).isEqualTo(401);
    }

    @Test
    void requestLimit429CarriesRetryAfterAndHeadersInBothDialects() {
        HttpResponse<String> first = openAi("one-secret", "chat");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).hasValue("1");
        assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
        HttpResponse<String> o = openAi("one-secret", "chat");
        assertThat(o.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(o.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 60L)
                .as("the test clock stands at the start of its window: a whole minute to wait").isEqualTo(60L);
        assertThat(o.headers().firstValue("x-ratelimit-limit-requests")).hasValue("1");
        assertThat(o.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
        assertThat(Gateway.json(o).path("error").path("type").asText()).isEqualTo("rate_limit_exceeded");
        HttpResponse<String> a = anthropic("one-secret", "chat");
        assertThat(a.statusCode()).isEqualTo(429);
        assertThat(a.headers().firstValue("retry-after")).isPresent();
        assertThat(a.headers().firstValue("anthropic-ratelimit-requests-limit")).hasValue("1");
        assertThat(a.headers().firstValue("anthropic-ratelimit-requests-remaining")).hasValue("0");
        assertThat(a.headers().firstValue("anthropic-ratelimit-requests-reset")).isPresent();
        assertThat(Gateway.json(a).path("error").path("type").asText()).isEqualTo("rate_limit_error");
    }

    @Test
    void tokenLimitReservesAtAdmissionAndReportsTokenHeaders() {
        // tpm 60; each request reserves body/4 + max_tokens(5), about 27 tokens, and uses fewer
        int ok = 0;
        HttpResponse<String> last = null;
        for (int i = 0; i < 10; i++) {
            last = anthropic("few-secret", "chat");
            if (last.statusCode() == 200) {
                ok++;
            } else {
                break;
            }
        }
        assertThat(ok).isBetween(1, 9);
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(last.headers().firstValue("anthropic-ratelimit-tokens-limit")).hasValue("60");
        assertThat(last.headers().firstValue("anthropic-ratelimit-tokens-remaining")).isPresent();
        assertThat(last.headers().firstValue("anthropic-ratelimit-tokens-reset")).isPresent();
        HttpResponse<String> o = openAi("few-secret", "chat");
        assertThat(o.statusCode()).isEqualTo(429);
        assertThat(o.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("60");
        assertThat(o.headers().firstValue("x-ratelimit-remaining-tokens")).isPresent();
    }

    @Test
    void badKeysAndRedisSettingsAreReportedWithTheirPaths() {
        var result = FileConfigLoader.check("""
                model_list: [{model_name: a, params: {model: sim/a}}]
                keys:
                  - {name: x, key_sha256: not-hex}
                  - {key: abc}
                  - {name: x, key: def, expires: tomorrow, rpm: 0}
                general_settings:
                  redis_url: http://nope
                  redis_failure_mode: sometimes
                """, Map.<String, String>of()::get);
        assertThat(result.errors()).anySatisfy(e -> assertThat(e).startsWith("keys[0].key_sha256:"))
                .anySatisfy(e -> assertThat(e).startsWith("keys[1].name: missing"))
                .anySatisfy(e -> assertThat(e).startsWith("keys[2].name:").contains("used by another key"))
                .anySatisfy(e -> assertThat(e).startsWith("keys[2].expires:"))
                .anySatisfy(e -> assertThat(e).startsWith("keys[2].rpm:"))
                .anySatisfy(e -> assertThat(e).startsWith("general_settings.redis_url:"))
                .anySatisfy(e -> assertThat(e).startsWith("general_settings.redis_failure_mode:"));
        assertThat(String.join("\n", result.errors())).doesNotContain("abc").doesNotContain("def");
        Assertions.assertThatThrownBy(() -> EnvSettings.redis(Map.of("REDIS_URL", "http://x:1@h",
                "REDIS_FAILURE_MODE", "maybe", "REDIS_TIMEOUT_MS", "0")::get))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REDIS_URL=http://***@h").hasMessageContaining("REDIS_FAILURE_MODE")
                .hasMessageContaining("REDIS_TIMEOUT_MS");
        assertThat(EnvSettings.redis(Map.<String, String>of()::get).enabled()).isFalse();
    }
}
