package dev.sluice.http;

import static dev.sluice.testing.OpenAiErrorAssert.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** CORS is off unless CORS_ORIGINS lists origins, and then only those exact origins are allowed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CorsTest {
    private static final String APP = "https://app.example.com";

    private FakeRuntime vllm;
    private Gateway withCors;
    private Gateway withoutCors;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        // reached through a reverse proxy that passes Host (deploy/nginx, deploy/caddy): the name is listed
        withCors = Gateway.in(vllm, "CORS_ORIGINS", APP, "API_KEYS", "k1", "ALLOWED_HOSTS", "gateway.example.com");
        withoutCors = Gateway.in(vllm, "API_KEYS", "k1", "ALLOWED_HOSTS", "gateway.example.com");
    }

    @BeforeEach
    void reset() {
        vllm.reset();
    }

    @AfterAll
    void stop() {
        withCors.close();
        withoutCors.close();
        vllm.close();
    }

    private static HttpResponse<String> preflight(Gateway g, String origin) {
        return g.options("/v1/chat/completions", "Origin", origin, "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization, content-type");
    }

    @Test
    void a_preflight_from_the_configured_origin_gets_204_with_that_origin_allowed() {
        HttpResponse<String> res = preflight(withCors, APP);

        assertThat(res.statusCode()).isEqualTo(204);
        assertThat(res.headers().firstValue("access-control-allow-origin")).contains(APP);
        assertThat(res.headers().firstValue("access-control-allow-methods")).get().asString().contains("POST");
        assertThat(res.headers().firstValue("access-control-allow-headers")).get().asString()
                .contains("authorization");
        assertThat(res.headers().firstValue("vary")).get().asString().contains("Origin");
        assertThat(res.headers().firstValue("access-control-allow-credentials")).isEmpty();
    }

    @Test
    void a_look_alike_origin_gets_no_cors_headers() {
        for (String origin : new String[] {"https://app.example.com.evil.io", "https://evil-app.example.com",
                "http://app.example.com", "https://app.example.com:8443", "null"}) {
            HttpResponse<String> res = preflight(withCors, origin);

            assertThat(res.statusCode()).as(origin).isNotEqualTo(204);
            assertThat(res.headers().firstValue("access-control-allow-origin")).as(origin).isEmpty();
        }
    }

    @Test
    void an_actual_request_from_the_configured_origin_gets_allow_origin_and_exposed_headers() {
        HttpResponse<String> res = withCors.get("/v1/models", "Origin", APP, "Authorization", "Bearer k1");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("access-control-allow-origin")).contains(APP);
        assertThat(res.headers().firstValue("access-control-expose-headers")).get().asString()
                .contains("x-request-id").contains("x-sluice-budget-remaining");
    }

    @Test
    void an_error_response_to_the_configured_origin_is_readable_by_the_page() {
        HttpResponse<String> res = withCors.get("/v1/models", "Origin", APP);

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(res.headers().firstValue("access-control-allow-origin")).contains(APP);
    }

    @Test
    void an_actual_request_from_a_look_alike_origin_gets_no_allow_origin_and_no_answer() {
        HttpResponse<String> res = withCors.post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[]}",
                "Origin", "https://app.example.com.evil.io", "Authorization", "Bearer k1");

        JsonNode error = assertOpenAiError(res, 403);
        assertThat(error.path("type").asText()).isEqualTo("permission_error");
        assertThat(res.headers().firstValue("access-control-allow-origin")).isEmpty();
        assertThat(vllm.apiRequests()).isEmpty();
    }

    @Test
    void a_configured_origin_works_whatever_host_name_the_gateway_is_reached_by() throws Exception {
        for (String host : new String[] {"localhost:8000", "127.0.0.1", "[::1]:8000", "gateway.example.com"}) {
            try (RawHttp res = RawHttp.send(withCors.port(), "GET", "/v1/models", Map.of("Host", host, "Origin", APP,
                    "Authorization", "Bearer k1"), null)) {
                res.readHead(Duration.ofSeconds(5));
                assertThat(res.status()).as(host).isEqualTo(200);
                assertThat(res.header("access-control-allow-origin")).as(host).isEqualTo(APP);
            }
        }
    }

    @Test
    void without_cors_origins_no_cors_headers_are_sent() throws Exception {
        HttpResponse<String> pre = preflight(withoutCors, APP);
        assertThat(pre.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));

        try (RawHttp res = RawHttp.send(withoutCors.port(), "GET", "/v1/models", Map.of("Host", "gateway.example.com",
                "Origin", APP, "Authorization", "Bearer k1"), null)) {
            res.readHead(Duration.ofSeconds(5));
            assertThat(res.status()).isEqualTo(200);
            assertThat(res.headers().keySet()).noneMatch(h -> h.startsWith("access-control-"));
        }
    }

    @Test
    void without_cors_origins_a_foreign_page_cannot_drive_a_gateway_reached_as_localhost() {
        HttpResponse<String> res = withoutCors.post("/v1/chat/completions",
                Chunks.chatRequest(false),
                "Origin", "https://evil.example.net", "Authorization", "Bearer k1");

        assertOpenAiError(res, 403);
        assertThat(res.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
        assertThat(vllm.apiRequests()).isEmpty();
    }

    @Test
    void a_local_page_and_a_client_without_origin_are_not_cross_origin_threats() {
        assertThat(withoutCors.get("/v1/models", "Origin", "http://localhost:5173", "Authorization", "Bearer k1")
                .statusCode()).isEqualTo(200);
        assertThat(withoutCors.get("/v1/models", "Authorization", "Bearer k1").statusCode()).isEqualTo(200);
    }
}
