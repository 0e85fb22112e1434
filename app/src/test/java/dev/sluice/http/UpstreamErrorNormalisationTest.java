package dev.sluice.http;

import static dev.sluice.testing.OpenAiErrorAssert.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Fixtures;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.Reply;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every runtime's error body (protocols.md §4.4) reaches an OpenAI client as the OpenAI envelope, with the
 * runtime's message and a status mapped from the runtime's: before any byte of a stream this is a real
 * HTTP status, never a 200 followed by an error event.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UpstreamErrorNormalisationTest {
    private static final String CHAT = Chunks.chatRequest(false);
    private static final String STREAM = Chunks.chatRequest(true);

    private FakeRuntime vllm;
    private FakeRuntime ollama;
    private FakeRuntime tgi;
    private FakeRuntime llamacpp;
    private FakeRuntime sglang;
    private Gateway vllmGateway;
    private Gateway ollamaGateway;
    private Gateway tgiGateway;
    private Gateway llamacppGateway;
    private Gateway sglangGateway;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        ollama = FakeRuntime.ollama();
        tgi = FakeRuntime.tgi();
        llamacpp = FakeRuntime.llamacpp();
        sglang = FakeRuntime.sglang();
        vllmGateway = Gateway.in(vllm, "BACKEND_API_KEY", "backend-secret-123");
        ollamaGateway = Gateway.in(ollama);
        tgiGateway = Gateway.in(tgi);
        llamacppGateway = Gateway.in(llamacpp);
        sglangGateway = Gateway.in(sglang);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {vllmGateway, ollamaGateway, tgiGateway, llamacppGateway,
                sglangGateway, vllm, ollama, tgi, llamacpp, sglang}) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @BeforeEach
    void reset() {
        for (FakeRuntime f : new FakeRuntime[] {vllm, ollama, tgi, llamacpp, sglang}) {
            f.reset();
        }
    }

    @Test
    void vllm_context_length_400_becomes_context_length_exceeded() {
        vllm.enqueue(Reply.fixture(400, "vllm/chat-error-400-context-length.json"));

        JsonNode error = assertOpenAiError(vllmGateway.post("/v1/chat/completions", CHAT), 400);

        assertThat(error.path("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains("the model's context length is only 4096 tokens");
    }

    @Test
    void vllm_context_length_400_on_a_stream_is_a_real_400_not_an_event() {
        vllm.enqueue(Reply.fixture(400, "vllm/chat-error-400-context-length.json"));

        HttpResponse<String> res = vllmGateway.post("/v1/chat/completions", STREAM);

        JsonNode error = assertOpenAiError(res, 400);
        assertThat(error.path("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(res.body()).doesNotStartWith("data:");
    }

    @Test
    void vllm_context_length_400_raises_the_sdk_bad_request_with_its_code() {
        vllm.enqueue(Reply.fixture(400, "vllm/chat-error-400-context-length.json"));

        assertThatThrownBy(() -> vllmGateway.openAi("unused").chat().completions()
                .create(ChatCompletionCreateParams.builder().model("m").addUserMessage("hi").build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.code()).contains("context_length_exceeded");
                });
    }

    @Test
    void the_integer_status_vllm_puts_in_code_does_not_reach_the_client() {
        vllm.enqueue(Reply.error(400, "temperature must be non-negative", "BadRequestError"));

        JsonNode error = assertOpenAiError(vllmGateway.post("/v1/chat/completions", CHAT), 400);

        assertThat(error.path("message").asText()).isEqualTo("temperature must be non-negative");
        assertThat(error.get("code").isNull()).isTrue();
    }

    @Test
    void ollama_404_model_not_found_keeps_its_status_and_message() {
        ollama.enqueue(Reply.fixture(404, "ollama/models-retrieve-error.json"));

        JsonNode error = assertOpenAiError(ollamaGateway.post("/v1/chat/completions", CHAT), 404);

        assertThat(error.path("message").asText()).isEqualTo("model not found");
        assertThat(error.path("code").asText()).isEqualTo("model_not_found");
    }

    @Test
    void tgi_422_string_error_becomes_a_400_with_its_message() {
        tgi.enqueue(Reply.json(422, "{\"error\":\"Input validation error: `inputs` must have less than 4096 tokens\","
                + "\"error_type\":\"validation\"}"));

        JsonNode error = assertOpenAiError(tgiGateway.post("/v1/chat/completions", STREAM), 400);

        assertThat(error.path("message").asText())
                .isEqualTo("Input validation error: `inputs` must have less than 4096 tokens");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void tgi_recorded_tool_error_becomes_a_400_with_its_message() {
        tgi.enqueue(Reply.fixture(422, "tgi/chat-error-422-tool-error.json"));

        JsonNode error = assertOpenAiError(tgiGateway.post("/v1/chat/completions", CHAT), 400);

        assertThat(error.path("message").asText())
                .isEqualTo(Gateway.json(Fixtures.text("tgi/chat-error-422-tool-error.json")).path("error").asText());
    }

    @Test
    void llamacpp_503_loading_model_is_a_503_with_retry_after() {
        llamacpp.enqueue(Reply.json(503,
                "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}"));

        HttpResponse<String> res = llamacppGateway.post("/v1/chat/completions", STREAM);

        JsonNode error = assertOpenAiError(res, 503);
        assertThat(error.path("message").asText()).isEqualTo("Loading model");
        assertThat(res.headers().firstValue("retry-after")).get().matches(v -> v.matches("\\d+") && !v.equals("0"));
    }

    @Test
    void an_upstream_retry_after_is_kept() {
        llamacpp.enqueue(Reply.error(503, "Loading model", "unavailable_error").header("Retry-After", "7"));

        HttpResponse<String> res = llamacppGateway.post("/v1/chat/completions", CHAT);

        assertOpenAiError(res, 503);
        assertThat(res.headers().firstValue("retry-after")).contains("7");
    }

    @Test
    void llamacpp_context_overflow_becomes_context_length_exceeded() {
        llamacpp.enqueue(Reply.json(400, "{\"error\":{\"code\":400,\"message\":\"the request exceeds the available"
                + " context size, try increasing it\",\"type\":\"exceed_context_size_error\",\"n_prompt_tokens\":5000,"
                + "\"n_ctx\":4096}}"));

        JsonNode error = assertOpenAiError(llamacppGateway.post("/v1/chat/completions", CHAT), 400);

        assertThat(error.path("code").asText()).isEqualTo("context_length_exceeded");
    }

    @Test
    void a_plain_text_502_from_a_proxy_is_a_502_with_the_text_as_message() {
        vllm.enqueue(Reply.text(502, "upstream connect error or disconnect/reset before headers"));

        JsonNode error = assertOpenAiError(vllmGateway.post("/v1/chat/completions", CHAT), 502);

        assertThat(error.path("message").asText())
                .isEqualTo("upstream connect error or disconnect/reset before headers");
        assertThat(error.path("type").asText()).isEqualTo("server_error");
    }

    @Test
    void an_html_error_page_is_not_echoed_to_the_client() {
        vllm.enqueue(new Reply.Body(502, "text/html", "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"
                .getBytes(), java.util.Map.of(), java.time.Duration.ZERO));

        JsonNode error = assertOpenAiError(vllmGateway.post("/v1/chat/completions", STREAM), 502);

        assertThat(error.path("message").asText()).doesNotContain("<html>");
    }

    @Test
    void sglang_flat_error_object_becomes_the_envelope_with_its_message() {
        sglang.enqueue(Reply.error(400, "Requested token count exceeds the model's maximum context length of 2048"
                + " tokens", "BadRequestError"));

        JsonNode error = assertOpenAiError(sglangGateway.post("/v1/chat/completions", CHAT), 400);

        assertThat(error.path("message").asText()).contains("exceeds the model's maximum context length of 2048");
        assertThat(error.path("code").asText()).isEqualTo("context_length_exceeded");
    }

    @Test
    void sglang_flat_error_under_http_200_is_still_an_error() {
        sglang.enqueue(Reply.json(200, "{\"object\":\"error\",\"message\":\"The engine is shutting down\","
                + "\"type\":\"InternalServerError\",\"param\":null,\"code\":500}"));

        JsonNode error = assertOpenAiError(sglangGateway.post("/v1/chat/completions", CHAT), 502);

        assertThat(error.path("message").asText()).isEqualTo("The engine is shutting down");
    }

    @Test
    void a_runtime_rejecting_the_backend_key_is_a_502_that_never_shows_the_key() {
        vllm.enqueue(Reply.error(401, "invalid key backend-secret-123", "AuthenticationError"));

        JsonNode error = assertOpenAiError(vllmGateway.post("/v1/chat/completions", CHAT), 502);

        assertThat(error.toString()).doesNotContain("backend-secret-123");
        assertThat(error.path("message").asText()).contains("BACKEND_API_KEY");
    }

    @Test
    void an_unreachable_runtime_is_a_502_naming_the_problem() throws Exception {
        int deadPort;
        try (var s = new java.net.ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (Gateway g = Gateway.builder().env("BACKEND_KIND", "vllm")
                .env("BACKEND_BASE_URL", "http://127.0.0.1:" + deadPort + "/v1").start()) {
            JsonNode error = assertOpenAiError(g.post("/v1/chat/completions", CHAT), 502);
            assertThat(error.path("message").asText()).contains("connection refused");
        }
    }
}
