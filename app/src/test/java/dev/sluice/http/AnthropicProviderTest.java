package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.sluice.protocol.Json;
import dev.sluice.testing.AnthropicSdk;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Fixtures;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real round trip through the {@code anthropic} provider against a fake Anthropic API on loopback, started
 * from a YAML config file: the official openai-java SDK (translated, protocols.md §3.3/§3.4/§3.9) and the
 * official anthropic-java SDK (passed through), with what the fake received and what the clients got.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnthropicProviderTest {
    static final String UPSTREAM_MODEL = "claude-sonnet-4-5";

    FakeRuntime anthropic;
    Gateway gateway;
    OpenAIClient openAi;
    AnthropicClient claude;

    @BeforeAll
    void start() throws Exception {
        anthropic = FakeRuntime.vllm(); // any dialect: every reply below is scripted in Anthropic's shapes
        Path dir = Files.createTempDirectory("sluice-anthropic-provider");
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, """
                model_list:
                  - model_name: claude
                    params:
                      model: anthropic/%s
                      api_base: http://127.0.0.1:%d
                      api_key: test-key
                general_settings:
                  num_retries: 0
                """.formatted(UPSTREAM_MODEL, anthropic.port()));
        gateway = Gateway.builder().env("sluice.config.file", file.toString()).start();
        openAi = gateway.openAi("client-key");
        claude = AnthropicSdk.withApiKey(gateway, "client-key");
    }

    @AfterAll
    void stop() {
        gateway.close();
        anthropic.close();
    }

    @BeforeEach
    void reset() {
        anthropic.reset();
    }

    /** The one request that reached the fake's Messages endpoint, with the Anthropic headers checked. */
    private RecordedRequest messagesRequest() {
        List<RecordedRequest> calls = anthropic.apiRequests().stream()
                .filter(r -> r.method().equals("POST")).toList();
        assertThat(calls).hasSize(1);
        RecordedRequest r = calls.getFirst();
        assertThat(r.path()).isEqualTo("/v1/messages");
        assertThat(r.header("x-api-key")).isEqualTo("test-key");
        assertThat(r.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(r.header("authorization")).isNull();
        return r;
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder().model("claude")
                .addSystemMessage("Be brief.")
                .addDeveloperMessage("  ")
                .addUserMessage("Give me two numbers.")
                .temperature(1.5)
                .stop("END");
    }

    @Test
    void openAiSdkChatIsTranslatedToMessagesAndBack() {
        anthropic.enqueue(Reply.fixture("anthropic/messages-text.json"));

        ChatCompletion c = openAi.chat().completions().create(chat().build());

        JsonNode fixture = Json.tryParse(Fixtures.bytes("anthropic/messages-text.json"));
        assertThat(c.model()).isEqualTo("claude");
        assertThat(c.id()).isEqualTo("chatcmpl-" + fixture.path("id").asText().substring(4));
        assertThat(c.choices().get(0).message().content()).hasValue(fixture.at("/content/0/text").asText());
        assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("stop");
        assertThat(c.usage().get().promptTokens()).isEqualTo(fixture.at("/usage/input_tokens").asLong()
                + fixture.at("/usage/cache_read_input_tokens").asLong()
                + fixture.at("/usage/cache_creation_input_tokens").asLong());

        JsonNode sent = messagesRequest().json();
        assertThat(sent).isEqualTo(Json.tryParse("""
                {"model":"claude-sonnet-4-5","system":"Be brief.",
                 "messages":[{"role":"user","content":[{"type":"text","text":"Give me two numbers."}]}],
                 "max_tokens":4096,"temperature":1.0,"stop_sequences":["END"]}"""));
    }

    @Test
    void openAiSdkStreamAccumulatesWithUsage() {
        anthropic.enqueue(Reply.sseFixture("anthropic/messages-stream-text.sse").withoutDone());

        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(chat()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(acc::accumulate);
        }

        ChatCompletion c = acc.chatCompletion();
        assertThat(c.model()).isEqualTo("claude");
        assertThat(c.choices().get(0).message().content()).hasValue("[12345,67890]");
        assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("stop");
        assertThat(c.usage().get().promptTokens()).isEqualTo(135);
        assertThat(c.usage().get().completionTokens()).isEqualTo(10);
        JsonNode sent = messagesRequest().json();
        assertThat(sent.path("stream").asBoolean()).isTrue();
        assertThat(sent.has("stream_options")).isFalse();
    }

    private static ChatCompletionCreateParams.Builder withTool() {
        return ChatCompletionCreateParams.builder().model("claude").addUserMessage("Weather in Paris?")
                .addFunctionTool(FunctionDefinition.builder().name("get_weather")
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("location",
                                        Map.of("type", "string"))))
                                .build())
                        .build());
    }

    @Test
    void openAiSdkToolCallRoundTrip() {
        anthropic.enqueue(Reply.fixture("anthropic/messages-tool-use.json"));

        ChatCompletion c = openAi.chat().completions().create(withTool().build());

        assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("tool_calls");
        var call = c.choices().get(0).message().toolCalls().get().get(0).asFunction();
        assertThat(call.id()).isEqualTo("toolu_01Ff6oGJapCYgEPy4WkqkoMJ");
        assertThat(call.function().name()).isEqualTo("test_tool");
        assertThat(Json.tryParse(call.function().arguments())).isEqualTo(Json.tryParse("{\"value\":\"test\"}"));
        JsonNode sent = messagesRequest().json();
        assertThat(sent.at("/tools/0")).isEqualTo(Json.tryParse("""
                {"name":"get_weather","input_schema":{"type":"object","properties":{"location":{"type":"string"}}}}"""));
    }

    @Test
    void openAiSdkStreamedToolCallAccumulates() {
        anthropic.enqueue(Reply.sseFixture("anthropic/messages-stream-tool-use.sse").withoutDone());

        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions()
                .createStreaming(withTool().build())) {
            stream.stream().forEach(acc::accumulate);
        }

        ChatCompletion c = acc.chatCompletion();
        assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("tool_calls");
        var call = c.choices().get(0).message().toolCalls().get().get(0).asFunction();
        assertThat(call.id()).isEqualTo("toolu_018acGYLtfR52q9yDbWaEdQZ");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(Json.tryParse(call.function().arguments()).has("location")).isTrue();
        messagesRequest();
    }

    @Test
    void anthropicSdkCreatePassesThroughWithOnlyTheModelReplaced() {
        anthropic.enqueue(Reply.fixture("anthropic/messages-text.json"));

        Message m = claude.messages().create(MessageCreateParams.builder().model("claude").maxTokens(300)
                .system("Be brief.").addUserMessage("Give me two numbers.")
                .putAdditionalHeader("anthropic-beta", "interleaved-thinking-2025-05-14")
                .putAdditionalBodyProperty("context_management", com.anthropic.core.JsonValue.from(Map.of(
                        "edits", List.of())))
                .build());

        JsonNode fixture = Json.tryParse(Fixtures.bytes("anthropic/messages-text.json"));
        assertThat(m.model().asString()).isEqualTo("claude");
        assertThat(m.id()).isEqualTo(fixture.path("id").asText());
        assertThat(m.content().get(0).asText().text()).isEqualTo(fixture.at("/content/0/text").asText());
        assertThat(m.usage().inputTokens()).isEqualTo(fixture.at("/usage/input_tokens").asLong());

        RecordedRequest r = messagesRequest();
        assertThat(r.header("anthropic-beta")).isEqualTo("interleaved-thinking-2025-05-14");
        assertThat(r.json()).isEqualTo(Json.tryParse("""
                {"model":"claude-sonnet-4-5","max_tokens":300,
                 "messages":[{"role":"user","content":"Give me two numbers."}],
                 "system":"Be brief.","context_management":{"edits":[]}}"""));
    }

    @Test
    void whatOnlyTheRealApiTakesIsNotRefusedOnTheWay() {
        anthropic.enqueue(Reply.fixture("anthropic/messages-text.json"));
        String body = """
                {"model":"claude","max_tokens":100,"messages":[{"role":"user","content":[
                  {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"}},
                  {"type":"image","source":{"type":"file","file_id":"file_abc"}},
                  {"type":"text","text":"Summarise."}]}],
                 "tools":[{"type":"web_search_20250305","name":"web_search","max_uses":3}]}""";
        HttpResponse<String> r = gateway.post("/v1/messages", body,
                "x-api-key", "client-key", "anthropic-version", "2023-06-01");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode sent = messagesRequest().json();
        JsonNode expected = Json.tryParse(body);
        ((com.fasterxml.jackson.databind.node.ObjectNode) expected).put("model", UPSTREAM_MODEL);
        assertThat(sent).isEqualTo(expected);
    }

    @Test
    void anthropicSdkStreamPassesThroughEventByEvent() {
        anthropic.enqueue(Reply.sseFixture("anthropic/messages-stream-tool-use.sse").withoutDone());

        Message m = AnthropicSdk.accumulate(claude.messages().createStreaming(MessageCreateParams.builder()
                .model("claude").maxTokens(300).addUserMessage("Weather in Paris?").build()));

        assertThat(m.model().asString()).isEqualTo("claude");
        assertThat(m.content()).hasSize(1);
        assertThat(m.content().get(0).asToolUse().name()).isEqualTo("get_weather");
        assertThat(AnthropicSdk.json(m.content().get(0).asToolUse()._input()).has("location")).isTrue();
        assertThat(m.stopReason().get().asString()).isEqualTo("tool_use");
        JsonNode sent = messagesRequest().json();
        assertThat(sent.path("stream").asBoolean()).isTrue();
        assertThat(sent.path("model").asText()).isEqualTo(UPSTREAM_MODEL);
    }

    @Test
    void anAnthropicErrorReachesAnthropicClientsWithItsTypeAndOpenAiClientsInTheirEnvelope() {
        JsonNode error = Json.tryParse(Fixtures.bytes("anthropic/error-429-rate-limit.json"));
        String message = error.at("/error/message").asText();

        anthropic.enqueue(Reply.fixture(429, "anthropic/error-429-rate-limit.json"));
        HttpResponse<String> a = gateway.post("/v1/messages", """
                {"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""",
                "x-api-key", "client-key", "anthropic-version", "2023-06-01");
        assertThat(a.statusCode()).isEqualTo(429);
        assertThat(Gateway.json(a).at("/type").asText()).isEqualTo("error");
        assertThat(Gateway.json(a).at("/error/type").asText()).isEqualTo("rate_limit_error");
        assertThat(Gateway.json(a).at("/error/message").asText()).isEqualTo(message);

        anthropic.enqueue(Reply.fixture(400, "anthropic/error-400-invalid-request.json"));
        HttpResponse<String> o = gateway.post("/v1/chat/completions", """
                {"model":"claude","messages":[{"role":"user","content":"hi"}]}""");
        JsonNode bad = Json.tryParse(Fixtures.bytes("anthropic/error-400-invalid-request.json"));
        assertThat(o.statusCode()).isEqualTo(400);
        assertThat(Gateway.json(o).at("/error/message").asText()).isEqualTo(bad.at("/error/message").asText());
        assertThat(Gateway.json(o).at("/error/type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void anOverloadedAnthropicApiIs529ForAnthropicClientsAnd503ForOpenAiClients() {
        String overloaded = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}";
        anthropic.enqueue(Reply.json(529, overloaded));
        HttpResponse<String> a = gateway.post("/v1/messages", """
                {"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""",
                "x-api-key", "client-key", "anthropic-version", "2023-06-01");
        assertThat(a.statusCode()).isEqualTo(529);
        assertThat(Gateway.json(a).at("/error/type").asText()).isEqualTo("overloaded_error");
        assertThat(Gateway.json(a).at("/error/message").asText()).isEqualTo("Overloaded");

        anthropic.enqueue(Reply.json(529, overloaded));
        HttpResponse<String> o = gateway.post("/v1/chat/completions", """
                {"model":"claude","messages":[{"role":"user","content":"hi"}]}""");
        assertThat(o.statusCode()).isEqualTo(503);
        assertThat(Gateway.json(o).at("/error/message").asText()).isEqualTo("Overloaded");
    }

    @Test
    void anAnthropicStreamCutBeforeMessageStopEndsWithAnErrorEventForAnthropicClients() {
        anthropic.enqueue(Reply.sseFixture("anthropic/messages-stream-text.sse").withoutDone().cutAfter(5));
        HttpResponse<String> r = gateway.post("/v1/messages", """
                {"model":"claude","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]}""",
                "x-api-key", "client-key", "anthropic-version", "2023-06-01");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"model\":\"claude\"").contains("event: error")
                .doesNotContain("message_stop");
    }

    @Test
    void theHealthProbeIsGetModelsWithTheAnthropicHeaders() {
        HttpResponse<String> r = gateway.get("/readyz");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        RecordedRequest probe = anthropic.requests().stream().filter(q -> q.method().equals("GET")).findFirst()
                .orElseThrow();
        assertThat(probe.path()).isEqualTo("/v1/models");
        assertThat(probe.header("x-api-key")).isEqualTo("test-key");
        assertThat(probe.header("anthropic-version")).isEqualTo("2023-06-01");
    }

    @Test
    void completionsAndEmbeddingsAreNotSupportedOnAnAnthropicDeployment() {
        HttpResponse<String> r = gateway.post("/v1/embeddings", "{\"model\":\"claude\",\"input\":\"hi\"}");
        assertThat(r.statusCode()).isEqualTo(501);
        assertThat(anthropic.apiRequests().stream().filter(q -> q.method().equals("POST"))).isEmpty();
    }
}
