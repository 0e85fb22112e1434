package dev.sluice.http;

import static dev.sluice.testing.OpenAiErrorAssert.assertNoStackTrace;
import static dev.sluice.testing.OpenAiErrorAssert.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Requests the gateway refuses itself: too large, not JSON, missing fields, unknown routes and methods. Each
 * gets the OpenAI envelope with a useful message, no stack trace, and never reaches the runtime.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RequestValidationTest {
    private static final int MAX = 2048;

    private FakeRuntime vllm;
    private Gateway gateway;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        gateway = Gateway.in(vllm, "MAX_REQUEST_BYTES", MAX, "API_KEYS", "k1");
    }

    @AfterAll
    void stop() {
        gateway.close();
        vllm.close();
    }

    @BeforeEach
    void reset() {
        vllm.reset();
    }

    @AfterEach
    void nothingReachedTheRuntime() {
        assertThat(vllm.apiRequests()).isEmpty();
    }

    private HttpResponse<String> chat(String body) {
        return gateway.post("/v1/chat/completions", body, "Authorization", "Bearer k1");
    }

    @Test
    void a_body_over_max_request_bytes_is_a_413() {
        String big = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(MAX * 2) + "\"}]}";

        JsonNode error = assertOpenAiError(chat(big), 413);

        assertThat(error.path("code").asText()).isEqualTo("request_too_large");
        assertThat(error.path("message").asText()).contains("MAX_REQUEST_BYTES");
    }

    @Test
    void a_body_just_under_max_request_bytes_is_accepted_for_validation() {
        String body = "{\"model\":\"m\",\"messages\":[],\"pad\":\"" + "x".repeat(MAX - 100) + "\"}";
        assertThat(body.length()).isLessThan(MAX);

        // reaches the gateway's own validation (empty messages) rather than the size limit
        JsonNode error = assertOpenAiError(chat(body), 400);
        assertThat(error.path("param").asText()).isEqualTo("messages");
    }

    @Test
    void a_declared_length_over_the_limit_is_refused_without_reading_the_body() throws Exception {
        try (RawHttp res = RawHttp.send(gateway.port(), "POST", "/v1/chat/completions",
                Map.of("Content-Type", "application/json", "Authorization", "Bearer k1",
                        "Content-Length", Integer.toString(MAX * 100)), null)) {
            res.readHead(Duration.ofSeconds(5));
            assertThat(res.status()).isEqualTo(413);
        }
    }

    @Test
    void invalid_json_is_a_400_envelope() {
        JsonNode error = assertOpenAiError(chat("{\"model\":\"m\",\"messages\":[}"), 400);

        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains("not valid JSON");
    }

    @Test
    void a_json_array_body_is_a_400_envelope() {
        JsonNode error = assertOpenAiError(chat("[1,2,3]"), 400);
        assertThat(error.path("message").asText()).contains("JSON object");
    }

    @Test
    void an_empty_body_is_a_400_envelope() {
        assertOpenAiError(chat(""), 400);
    }

    @Test
    void missing_messages_is_a_400_on_param_messages() {
        JsonNode error = assertOpenAiError(chat("{\"model\":\"m\"}"), 400);
        assertThat(error.path("param").asText()).isEqualTo("messages");
    }

    @Test
    void a_missing_model_without_model_name_is_a_400_on_param_model() {
        JsonNode error = assertOpenAiError(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 400);
        assertThat(error.path("param").asText()).isEqualTo("model");
    }

    @Test
    void a_non_boolean_stream_is_a_400_on_param_stream() {
        JsonNode error = assertOpenAiError(chat("{\"model\":\"m\",\"stream\":\"yes\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 400);
        assertThat(error.path("param").asText()).isEqualTo("stream");
    }

    @Test
    void missing_input_on_embeddings_is_a_400_on_param_input() {
        JsonNode error = assertOpenAiError(gateway.post("/v1/embeddings", "{\"model\":\"m\"}", "Authorization",
                "Bearer k1"), 400);
        assertThat(error.path("param").asText()).isEqualTo("input");
    }

    @Test
    void an_unknown_route_is_a_404_envelope() {
        JsonNode error = assertOpenAiError(gateway.get("/v1/no-such-thing", "Authorization", "Bearer k1"), 404);
        assertThat(error.path("message").asText()).contains("/v1/no-such-thing");
    }

    @Test
    void an_unknown_route_outside_v1_is_a_404_envelope_too() {
        assertOpenAiError(gateway.get("/admin/config.php", "Authorization", "Bearer k1"), 404);
    }

    @Test
    void a_wrong_method_is_a_405_envelope() {
        assertOpenAiError(gateway.get("/v1/chat/completions", "Authorization", "Bearer k1"), 405);
    }

    @Test
    void a_hostile_path_is_not_echoed_raw() {
        HttpResponse<String> res = gateway.get("/v1/%3Cscript%3Ealert(1)%3C/script%3E", "Authorization", "Bearer k1");

        assertOpenAiError(res, 404);
        assertThat(res.body()).doesNotContain("<script>");
    }

    @Test
    void deeply_nested_json_is_refused_without_a_stack_trace() {
        String deep = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x\":"
                + "[".repeat(400) + "]".repeat(400) + "}";
        assertThat(deep.getBytes(StandardCharsets.UTF_8).length).isLessThan(MAX);

        HttpResponse<String> res = chat(deep);

        assertOpenAiError(res, 400);
        assertNoStackTrace(res.body());
    }
}
