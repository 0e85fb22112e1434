package dev.sluice.http;

import static dev.sluice.testing.OpenAiChunks.completion;
import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCountTokensTool;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.models.ModelInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.AnthropicSdk;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.net.http.HttpResponse;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /v1/messages/count_tokens} (exact from vLLM's tokenizer, estimated for Ollama, which has none;
 * §1.11, §4.3, #22) and the Anthropic-shaped {@code /v1/models} (§1.12, #52), through the official SDK.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnthropicCountTokensAndModelsTest {
    static final String KEY = "sk-sluice-count";
    static final String SERVED = "Qwen/Qwen3-8B";

    private FakeRuntime vllm;
    private Gateway gateway;
    private AnthropicClient client;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        gateway = Gateway.in(vllm, "API_KEYS", KEY, "MODEL_NAME", SERVED, "MODEL_ALIASES", "claude-*");
        client = AnthropicSdk.withApiKey(gateway, KEY);
    }

    @AfterAll
    void stop() {
        client.close();
        gateway.close();
        vllm.close();
    }

    private static MessageCountTokensParams countParams() {
        return MessageCountTokensParams.builder().model("claude-sonnet-4-5").system("You are terse.")
                .addUserMessage("How many tokens is this?")
                .addTool(MessageCountTokensTool.ofTool(Tool.builder().name("get_weather")
                        .inputSchema(Tool.InputSchema.builder()
                                .properties(JsonValue.from(Map.of("city", Map.of("type", "string")))).build())
                        .build()))
                .build();
    }

    @Test
    void countTokensOnVllmIsTheExactCountFromItsTokenizer() throws Exception {
        vllm.reset();
        vllm.enqueue("/tokenize", Reply.json("{\"count\":1234,\"max_model_len\":40960,\"tokens\":[1,2,3]}"));
        assertThat(client.messages().countTokens(countParams()).inputTokens()).isEqualTo(1234);

        RecordedRequest tokenize = vllm.takeRequest();
        assertThat(tokenize.path()).isEqualTo("/tokenize");
        JsonNode body = tokenize.json();
        assertThat(body.path("model").asText()).isEqualTo(SERVED);
        assertThat(body.path("add_generation_prompt").asBoolean()).isTrue();
        assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("You are terse.");
        assertThat(body.path("messages").get(1).path("content").asText()).isEqualTo("How many tokens is this?");
        assertThat(body.path("tools").get(0).path("function").path("name").asText()).isEqualTo("get_weather");
    }

    @Test
    void countTokensWithTheBetaQueryAndHeaderSaysHowItCounted() {
        vllm.reset();
        vllm.enqueue("/tokenize", Reply.json("{\"count\":77}"));
        HttpResponse<String> r = gateway.post("/v1/messages/count_tokens?beta=true", """
                {"model":"claude-haiku-4-5","messages":[{"role":"user","content":"Hi"}]}""",
                "x-api-key", KEY, "anthropic-version", "2023-06-01", "anthropic-beta", "token-counting-2024-11-01");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Gateway.json(r)).isEqualTo(Gateway.json("{\"input_tokens\":77}"));
        assertThat(r.headers().firstValue("x-sluice-token-count")).contains("exact");
    }

    @Test
    void countTokensFallsBackToAnEstimateWhenTheTokenizerFails() {
        vllm.reset();
        vllm.enqueue("/tokenize", Reply.error(500, "tokenizer crashed", "InternalServerError"));
        HttpResponse<String> r = gateway.post("/v1/messages/count_tokens", """
                {"model":"claude-haiku-4-5","messages":[{"role":"user","content":"Hi there, count me."}]}""",
                "x-api-key", KEY, "anthropic-version", "2023-06-01");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Gateway.json(r).path("input_tokens").asLong()).isPositive();
        assertThat(r.headers().firstValue("x-sluice-token-count")).contains("estimate");
    }

    @Test
    void countTokensOnOllamaIsAPositiveEstimateWithoutCallingIt() {
        try (FakeRuntime ollama = FakeRuntime.ollama();
                Gateway g = Gateway.in(ollama, "API_KEYS", KEY, "MODEL_NAME", "llama3.2:3b", "MODEL_ALIASES",
                        "claude-*")) {
            AnthropicClient sdk = AnthropicSdk.withApiKey(g, KEY);
            long small = sdk.messages().countTokens(MessageCountTokensParams.builder().model("claude-sonnet-4-5")
                    .addUserMessage("Hi").build()).inputTokens();
            long large = sdk.messages().countTokens(countParams()).inputTokens();
            sdk.close();
            assertThat(small).isPositive();
            assertThat(large).isGreaterThan(small);
            assertThat(ollama.apiRequests()).as("Ollama has no tokenizer endpoint").isEmpty();
        }
    }

    @Test
    void modelsWithAnthropicVersionIsAnAnthropicPage() {
        List<ModelInfo> models = client.models().list().data();
        assertThat(models).hasSize(1);
        ModelInfo m = models.get(0);
        assertThat(m.id()).isEqualTo(SERVED);
        assertThat(m.displayName()).isNotBlank();
        assertThat(m.createdAt()).isBefore(OffsetDateTime.now().plusMinutes(1));
        assertThat(client.models().retrieve(SERVED).id()).isEqualTo(SERVED);

        JsonNode page = Gateway.json(gateway.get("/v1/models?limit=20", "x-api-key", KEY,
                "anthropic-version", "2023-06-01"));
        assertThat(page.path("data").get(0).path("type").asText()).isEqualTo("model");
        assertThat(page.path("has_more").asBoolean(true)).isFalse();
        assertThat(page.path("first_id").asText()).isEqualTo(SERVED);
        assertThat(page.path("last_id").asText()).isEqualTo(SERVED);
        assertThat(page.has("object")).isFalse();
    }

    @Test
    void modelsWithoutAnthropicVersionKeepsTheOpenAiShape() {
        JsonNode list = Gateway.json(gateway.get("/v1/models", "Authorization", "Bearer " + KEY));
        assertThat(list.path("object").asText()).isEqualTo("list");
        assertThat(list.path("data").get(0).path("object").asText()).isEqualTo("model");
        assertThat(list.path("data").get(0).has("type")).isFalse();
    }

    @Test
    void modelsOnAGatewayWithoutModelNameListsTheRuntimesModelsInAnthropicShape() {
        try (FakeRuntime ollama = FakeRuntime.ollama(); Gateway g = Gateway.in(ollama)) {
            AnthropicClient sdk = AnthropicSdk.withApiKey(g, "unused");
            List<ModelInfo> models = sdk.models().list().data();
            sdk.close();
            assertThat(models).isNotEmpty();
            assertThat(models).allSatisfy(m -> assertThat(m.id()).isNotBlank());
            assertThat(models.stream().map(ModelInfo::id).toList())
                    .containsExactlyElementsOf(Gateway.json(new String(dev.sluice.testing.Fixtures.bytes(
                            "ollama/models-list.json"))).findValuesAsText("id"));
        }
    }

    @Test
    void ollamaImageUrlIsRejectedWith400AndToolChoiceNoneOmitsTheTools() {
        try (FakeRuntime ollama = FakeRuntime.ollama();
                Gateway g = Gateway.in(ollama, "MODEL_NAME", "llama3.2:3b", "MODEL_ALIASES", "claude-*")) {
            HttpResponse<String> r = g.post("/v1/messages", """
                    {"model":"claude-sonnet-4-5","max_tokens":50,"messages":[{"role":"user","content":[
                      {"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}},
                      {"type":"text","text":"What is it?"}]}]}""", "anthropic-version", "2023-06-01");
            JsonNode error = AnthropicErrorsTest.anthropicError(r, 400, "invalid_request_error");
            assertThat(error.path("message").asText()).contains("base64");
            assertThat(ollama.apiRequests()).isEmpty();

            ollama.enqueue(Reply.json(completion("Just talking.", "stop", 20, 3)));
            HttpResponse<String> ok = g.post("/v1/messages", """
                    {"model":"claude-sonnet-4-5","max_tokens":50,"messages":[{"role":"user","content":"Talk"}],
                     "tools":[{"name":"get_weather","input_schema":{"type":"object"}}],"tool_choice":{"type":"none"}}""",
                    "anthropic-version", "2023-06-01");
            assertThat(ok.statusCode()).isEqualTo(200);
            JsonNode sent = ollama.apiRequests().get(0).json();
            assertThat(sent.has("tools")).isFalse();
            assertThat(sent.has("tool_choice")).isFalse();
        }
    }
}
