package dev.sluice.http;

import static dev.sluice.testing.OpenAiChunks.completion;
import static dev.sluice.testing.OpenAiChunks.content;
import static dev.sluice.testing.OpenAiChunks.role;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.models.messages.MessageCreateParams;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.AnthropicSdk;
import dev.sluice.testing.AnthropicStreamInvariants;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.OpenAiErrorAssert;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.Reply;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Errors reach Anthropic clients in the Anthropic envelope with the §1.10 / §3.10 mapping: a real HTTP status
 * before the 200, an {@code event: error} (and no {@code message_stop}) after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnthropicErrorsTest {
    static final String KEY = "sk-sluice-errors";
    static final String BODY = """
            {"model":"claude-sonnet-4-5","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]}""";

    private FakeRuntime fake;
    private Gateway gateway;
    private AnthropicClient client;

    @BeforeAll
    void start() {
        fake = FakeRuntime.vllm();
        gateway = Gateway.in(fake, "API_KEYS", KEY, "MODEL_NAME", "Qwen/Qwen3-8B", "MODEL_ALIASES", "claude-*");
        client = AnthropicSdk.withApiKey(gateway, KEY);
    }

    @AfterAll
    void stop() {
        client.close();
        gateway.close();
        fake.close();
    }

    @BeforeEach
    void resetFake() {
        fake.reset();
    }

    private static MessageCreateParams question() {
        return MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(100).addUserMessage("Hi").build();
    }

    private static void using(AnthropicClient c, java.util.function.Consumer<AnthropicClient> body) {
        try {
            body.accept(c);
        } finally {
            c.close();
        }
    }

    /** Asserts the Anthropic error envelope and returns {@code error}. */
    static JsonNode anthropicError(HttpResponse<String> r, int status, String type) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).get().asString().startsWith("application/json");
        OpenAiErrorAssert.assertNoStackTrace(r.body());
        JsonNode root = Gateway.json(r);
        assertThat(root.path("type").asText()).isEqualTo("error");
        assertThat(root.path("error").path("type").asText()).isEqualTo(type);
        assertThat(root.path("error").path("message").asText()).isNotBlank();
        assertThat(root.path("request_id").asText()).isNotBlank();
        return root.path("error");
    }

    private static void assertSdkError(AnthropicServiceException e, int status, String type) {
        assertThat(e.statusCode()).isEqualTo(status);
        assertThat(AnthropicSdk.json(e.body()).path("error").path("type").asText()).isEqualTo(type);
    }

    @Test
    void wrongKeyInXApiKeyIs401AuthenticationError() {
        using(AnthropicSdk.withApiKey(gateway, "sk-wrong"), wrong -> assertThatThrownBy(
                () -> wrong.messages().create(question())).isInstanceOfSatisfying(UnauthorizedException.class,
                        e -> assertSdkError(e, 401, "authentication_error")));
        JsonNode error = anthropicError(gateway.post("/v1/messages", BODY, "x-api-key", "sk-wrong",
                "anthropic-version", "2023-06-01"), 401, "authentication_error");
        assertThat(error.path("message").asText()).doesNotContain(KEY, "sk-wrong");
        anthropicError(gateway.post("/v1/messages", BODY, "anthropic-version", "2023-06-01"), 401,
                "authentication_error");
        assertThat(fake.apiRequests()).isEmpty();
    }

    @Test
    void wrongBearerTokenIs401AndTheRightOneIsAccepted() {
        using(AnthropicSdk.withAuthToken(gateway, "sk-wrong"), wrong -> assertThatThrownBy(
                () -> wrong.messages().create(question())).isInstanceOfSatisfying(UnauthorizedException.class,
                        e -> assertSdkError(e, 401, "authentication_error")));
        anthropicError(gateway.post("/v1/messages", BODY, "Authorization", "Bearer sk-wrong",
                "anthropic-version", "2023-06-01"), 401, "authentication_error");
        fake.enqueue(Reply.json(completion("Token accepted.", "stop", 3, 3)));
        using(AnthropicSdk.withAuthToken(gateway, KEY), right -> assertThat(
                right.messages().create(question()).content().get(0).asText().text()).isEqualTo("Token accepted."));
    }

    @Test
    void upstream503BeforeAnyByteIs529OverloadedErrorWithRetryAfter() {
        fake.enqueue(Reply.error(503, "Loading model", "unavailable_error"));
        HttpResponse<String> r = gateway.post("/v1/messages", BODY, "x-api-key", KEY,
                "anthropic-version", "2023-06-01");
        JsonNode error = anthropicError(r, 529, "overloaded_error");
        assertThat(error.path("message").asText()).contains("Loading model");
        assertThat(r.headers().firstValue("retry-after")).isPresent();
        assertThat(r.headers().firstValue("x-should-retry")).contains("true");

        fake.enqueue(Reply.error(503, "Loading model", "unavailable_error"));
        assertThatThrownBy(() -> AnthropicSdk.accumulate(client.messages().createStreaming(question())))
                .as("a stream that fails before its first byte is a real 529, not a 200 with an error event")
                .isInstanceOfSatisfying(OverloadedException.class, e -> assertSdkError(e, 529, "overloaded_error"));
    }

    @Test
    void upstreamContextOverflowIs400PromptIsTooLong() {
        fake.enqueue(Reply.fixture(400, "vllm/chat-error-400-context-length.json"));
        JsonNode error = anthropicError(gateway.post("/v1/messages", BODY, "x-api-key", KEY,
                "anthropic-version", "2023-06-01"), 400, "invalid_request_error");
        assertThat(error.path("message").asText()).startsWith("prompt is too long");

        fake.enqueue(Reply.error(400, "This model's maximum context length is 4096 tokens. However, you requested"
                + " 5100 tokens (5000 in the messages, 100 in the completion). Please reduce the length of the"
                + " messages or completion.", "BadRequestError"));
        assertThatThrownBy(() -> client.messages().create(question())).isInstanceOfSatisfying(
                BadRequestException.class, e -> {
                    assertSdkError(e, 400, "invalid_request_error");
                    // the wording Claude Code parses: prompt is too long[^0-9]*(\d+)\s*tokens?\s*>\s*(\d+)
                    assertThat(e.apiMessage()).get().asString().startsWith("prompt is too long: 5000 tokens > 4096 maximum");
                });
    }

    @Test
    void maxTokensThatDoNotFitNextToThePromptGetTheMaxTokensWording() {
        // vLLM 0.10+: Claude Code asks for max_tokens 32000-128000; a local model's window is often smaller
        fake.enqueue(Reply.error(400, "'max_tokens' or 'max_completion_tokens' is too large: 128000. This model's"
                + " maximum context length is 32768 tokens and your request has 12253 input tokens (128000 > 32768"
                + " - 12253). None", "BadRequestError"));
        JsonNode error = anthropicError(gateway.post("/v1/messages", BODY, "x-api-key", KEY,
                "anthropic-version", "2023-06-01"), 400, "invalid_request_error");
        assertThat(error.path("message").asText()).startsWith("input length and `max_tokens` exceed context limit:"
                + " 12253 + 128000 > 32768, decrease input length or max_tokens and try again");
    }

    @Test
    void upstreamContextOverflowFromLlamaCppCarriesItsTokenCounts() throws Exception {
        try (FakeRuntime llama = FakeRuntime.llamacpp();
                Gateway g = Gateway.in(llama, "MODEL_NAME", "qwen", "MODEL_ALIASES", "claude-*")) {
            llama.enqueue(Reply.json(400, """
                    {"error":{"code":400,"message":"the request exceeds the available context size, try increasing it",
                     "type":"exceed_context_size_error","n_prompt_tokens":9000,"n_ctx":8192}}"""));
            JsonNode error = anthropicError(g.post("/v1/messages", BODY, "anthropic-version", "2023-06-01"), 400,
                    "invalid_request_error");
            assertThat(error.path("message").asText()).startsWith("prompt is too long: 9000 tokens > 8192 maximum");
        }
    }

    @Test
    void unknownModelIs404NotFoundErrorWithoutCallingTheBackend() {
        assertThatThrownBy(() -> client.messages().create(MessageCreateParams.builder().model("gpt-4o").maxTokens(10)
                .addUserMessage("Hi").build())).isInstanceOfSatisfying(NotFoundException.class,
                        e -> assertSdkError(e, 404, "not_found_error"));
        JsonNode error = anthropicError(gateway.post("/v1/messages", BODY.replace("claude-sonnet-4-5", "gpt-4o"),
                "x-api-key", KEY, "anthropic-version", "2023-06-01"), 404, "not_found_error");
        assertThat(error.path("message").asText()).contains("gpt-4o");
        assertThat(fake.apiRequests()).isEmpty();
    }

    @Test
    void invalidRequestIs400InvalidRequestErrorInTheAnthropicEnvelope() {
        anthropicError(gateway.post("/v1/messages", "{\"model\":\"claude-x\",\"max_tokens\":5}", "x-api-key", KEY),
                400, "invalid_request_error");
        anthropicError(gateway.post("/v1/messages", "not json", "x-api-key", KEY), 400, "invalid_request_error");
        anthropicError(gateway.post("/v1/messages", """
                {"model":"claude-x","max_tokens":5,"messages":[
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_ghost","content":"x"}]}]}""",
                "x-api-key", KEY), 400, "invalid_request_error");
        assertThat(fake.apiRequests()).isEmpty();
    }

    @Test
    void midStreamUpstreamFailureEndsWithAnErrorEventAndNoMessageStop() throws Exception {
        fake.enqueue(Reply.sse().data(role()).data(content("Partial")).data(content(" answer")).cutAfter(3));
        try (RawHttp h = RawHttp.send(gateway.port(), "POST", "/v1/messages", Map.of("x-api-key", KEY,
                "content-type", "application/json", "anthropic-version", "2023-06-01"),
                BODY.replace("\"max_tokens\":100", "\"max_tokens\":100,\"stream\":true").getBytes())) {
            h.readHead(Duration.ofSeconds(10));
            assertThat(h.status()).isEqualTo(200);
            StringBuilder sse = new StringBuilder();
            h.readEvents(Duration.ofSeconds(10)).forEach(e -> sse.append(e.text()));
            var events = AnthropicStreamInvariants.parse(sse.toString());
            AnthropicStreamInvariants.check(events);
            var last = events.get(events.size() - 1);
            assertThat(last.name()).isEqualTo("error");
            assertThat(last.data().path("error").path("type").asText()).isEqualTo("api_error");
            assertThat(events).noneMatch(e -> e.name().equals("message_stop"));
            assertThat(h.leftover()).isEmpty();
        }

        fake.enqueue(Reply.sse().data(role()).data(content("Partial"))
                .data("{\"error\":{\"message\":\"CUDA out of memory\",\"type\":\"internal_error\",\"code\":500}}"));
        assertThatThrownBy(() -> AnthropicSdk.accumulate(client.messages().createStreaming(question())))
                .as("the SDK raises on event: error").isInstanceOfSatisfying(AnthropicServiceException.class,
                        e -> assertThat(e.getMessage() + AnthropicSdk.json(e.body())).contains("CUDA out of memory"));
    }

    @Test
    void gatewayRateLimitIs429RateLimitErrorWithRetryAfter() {
        try (Gateway limited = Gateway.builder().env("BACKEND_KIND", "sim").env("API_KEYS", KEY)
                .env("RATE_LIMIT_ENABLED", "true").env("RATE_LIMIT_RPM", "1").env("RATE_LIMIT_BURST", "1")
                .env("MODEL_ALIASES", "claude-*").start()) {
            AnthropicClient sdk = AnthropicSdk.withApiKey(limited, KEY);
            assertThat(sdk.messages().create(question()).content()).isNotEmpty();
            HttpResponse<String> r = limited.post("/v1/messages", BODY, "x-api-key", KEY,
                    "anthropic-version", "2023-06-01");
            anthropicError(r, 429, "rate_limit_error");
            assertThat(r.headers().firstValue("retry-after")).get().asString().matches("\\d+");
            assertThatThrownBy(() -> sdk.messages().create(question())).isInstanceOfSatisfying(
                    RateLimitException.class, e -> assertSdkError(e, 429, "rate_limit_error"));
            sdk.close();
        }
    }

    @Test
    void errorsOnTheCountTokensAndModelsRoutesAreAnthropicShapedToo() {
        anthropicError(gateway.post("/v1/messages/count_tokens", BODY, "x-api-key", "nope",
                "anthropic-version", "2023-06-01"), 401, "authentication_error");
        anthropicError(gateway.get("/v1/models", "x-api-key", "nope", "anthropic-version", "2023-06-01"), 401,
                "authentication_error");
        anthropicError(gateway.get("/v1/models/gpt-4o", "x-api-key", KEY, "anthropic-version", "2023-06-01"), 404,
                "not_found_error");
        List<String> none = fake.apiRequests().stream().map(r -> r.path()).toList();
        assertThat(none).isEmpty();
    }
}
