package dev.sluice.http;

import static dev.sluice.testing.OpenAiErrorAssert.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.errors.RateLimitException;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * RATE_LIMIT_ENABLED=true, RATE_LIMIT_RPM=60, RATE_LIMIT_BURST=2: two requests at once per key, then 429
 * with Retry-After until the bucket refills (one request per second). Each test uses its own key, so each
 * starts with a full bucket.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RateLimitTest {
    private FakeRuntime vllm;
    private Gateway gateway;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        gateway = Gateway.in(vllm, "API_KEYS", "a,b,c,d,e,warm", "RATE_LIMIT_ENABLED", "true", "RATE_LIMIT_RPM",
                "60", "RATE_LIMIT_BURST", "2");
        // warm both clients up, so "immediate" requests below are milliseconds apart, not a class-loading second
        models("warm");
        gateway.openAi("warm").models().list();
    }

    @AfterAll
    void stop() {
        gateway.close();
        vllm.close();
    }

    private HttpResponse<String> models(String key) {
        return gateway.get("/v1/models", "Authorization", "Bearer " + key);
    }

    @Test
    void the_third_immediate_request_is_a_429_with_retry_after() {
        assertThat(models("a").statusCode()).isEqualTo(200);
        assertThat(models("a").statusCode()).isEqualTo(200);
        int upstreamBefore = vllm.apiRequests().size();

        HttpResponse<String> third = models("a");

        JsonNode error = assertOpenAiError(third, 429);
        assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(third.headers().firstValue("retry-after")).get()
                .satisfies(v -> assertThat(Integer.parseInt(v)).isBetween(1, 60));
        assertThat(vllm.apiRequests()).as("a refused request never reaches the runtime").hasSize(upstreamBefore);
    }

    @Test
    void allowed_requests_carry_the_limit_headers() {
        HttpResponse<String> first = models("b");

        assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).contains("60");
        assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).contains("1");
    }

    @Test
    void each_api_key_has_its_own_bucket() {
        models("c");
        models("c");
        assertThat(models("c").statusCode()).isEqualTo(429);

        assertThat(models("d").statusCode()).isEqualTo(200);
    }

    @Test
    void the_openai_sdk_sees_a_rate_limit_exception() {
        var sdk = gateway.openAi("e");

        // the bucket holds 2 and refills one a second: within a few quick calls one must be refused
        assertThatThrownBy(() -> {
            for (int i = 0; i < 4; i++) {
                sdk.models().list();
            }
        }).isInstanceOfSatisfying(RateLimitException.class, ex -> {
            assertThat(ex.statusCode()).isEqualTo(429);
            assertThat(ex.headers().values("retry-after")).isNotEmpty();
            assertThat(ex.code()).contains("rate_limit_exceeded");
        });
    }

    @Test
    void probes_are_not_rate_limited() {
        for (int i = 0; i < 5; i++) {
            assertThat(gateway.get("/livez").statusCode()).isEqualTo(200);
        }
    }
}
