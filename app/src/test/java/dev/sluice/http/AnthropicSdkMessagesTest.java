package dev.sluice.http;

import static dev.sluice.testing.OpenAiChunks.completion;
import static dev.sluice.testing.OpenAiChunks.content;
import static dev.sluice.testing.OpenAiChunks.finish;
import static dev.sluice.testing.OpenAiChunks.reasoning;
import static dev.sluice.testing.OpenAiChunks.role;
import static dev.sluice.testing.OpenAiChunks.toolArguments;
import static dev.sluice.testing.OpenAiChunks.toolCall;
import static dev.sluice.testing.OpenAiChunks.toolCompletion;
import static dev.sluice.testing.OpenAiChunks.usage;
import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.models.beta.messages.BetaMessage;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.protocol.Json;
import dev.sluice.testing.AnthropicSdk;
import dev.sluice.testing.AnthropicStreamInvariants;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Fixtures;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official anthropic-java SDK against the gateway over real HTTP, with a scripted vLLM-style runtime
 * behind it: create, stream through the SDK's MessageAccumulator, a tool-use round trip, thinking, betas and
 * unknown fields. The model is served as {@code Qwen/Qwen3-8B} and {@code claude-*} is an alias, as for
 * Claude Code.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnthropicSdkMessagesTest {
    static final String KEY = "sk-sluice-test-1";
    static final String SERVED = "Qwen/Qwen3-8B";
    static final String CLIENT_MODEL = "claude-sonnet-4-5-20250929";

    private FakeRuntime fake;
    private Gateway gateway;
    private AnthropicClient client;

    @BeforeAll
    void start() {
        fake = FakeRuntime.vllm();
        gateway = Gateway.in(fake, "API_KEYS", KEY + ",sk-sluice-test-2", "MODEL_NAME", SERVED,
                "MODEL_ALIASES", "claude-*");
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

    private RecordedRequest onlyChatRequest() {
        List<RecordedRequest> chats = fake.apiRequests().stream()
                .filter(r -> r.path().equals("/v1/chat/completions")).toList();
        assertThat(chats).as("chat requests the runtime received").hasSize(1);
        return chats.get(0);
    }

    private static MessageCreateParams.Builder question(String text) {
        return MessageCreateParams.builder().model(CLIENT_MODEL).maxTokens(512).addUserMessage(text);
    }

    private static Tool weatherTool() {
        return Tool.builder().name("get_weather").description("Current weather for a city")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .required(List.of("city")).build())
                .build();
    }

    private static String text(Message m) {
        StringBuilder sb = new StringBuilder();
        for (ContentBlock b : m.content()) {
            b.text().ifPresent(t -> sb.append(t.text()));
        }
        return sb.toString();
    }

    /** The text a recorded OpenAI stream carries, concatenated from its content deltas. */
    private static String streamedText(String fixture) {
        StringBuilder sb = new StringBuilder();
        for (byte[] e : Fixtures.events(fixture)) {
            String s = new String(e, java.nio.charset.StandardCharsets.UTF_8).strip();
            if (s.startsWith("data: {")) {
                JsonNode c = Json.tryParse(s.substring(6)).path("choices").path(0).path("delta").path("content");
                if (c.isTextual()) {
                    sb.append(c.asText());
                }
            }
        }
        return sb.toString();
    }

    @Test
    void createReturnsTheBackendsAnswerAsAnAnthropicMessage() {
        fake.enqueue(Reply.fixture("openai/chat-basic.json"));
        Message m = client.messages().create(question("Say hi").system("Be brief.").build());

        JsonNode raw = Json.tryParse(Fixtures.bytes("openai/chat-basic.json"));
        assertThat(m.id()).startsWith("msg_");
        assertThat(m.model().asString()).isEqualTo(CLIENT_MODEL);
        assertThat(text(m)).isEqualTo(raw.path("choices").get(0).path("message").path("content").asText());
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertThat(m.usage().inputTokens()).isEqualTo(raw.path("usage").path("prompt_tokens").asLong());
        assertThat(m.usage().outputTokens()).isEqualTo(raw.path("usage").path("completion_tokens").asLong());

        RecordedRequest up = onlyChatRequest();
        JsonNode body = up.json();
        assertThat(body.path("model").asText()).as("the alias is sent as the served name").isEqualTo(SERVED);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(512);
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("Be brief.");
        assertThat(body.path("messages").get(1).path("content").asText()).isEqualTo("Say hi");
        assertThat(body.has("stream_options")).isFalse();
        assertThat(up.header("x-api-key")).as("the client's key never reaches the runtime").isNull();
        assertThat(up.header("anthropic-version")).isNull();
    }

    @Test
    void streamThroughTheSdkAccumulatorGivesTheSameTextAsCreate() {
        String expected = streamedText("openai/chat-stream.sse");
        assertThat(expected).startsWith("Hi there!");
        fake.enqueue(Reply.sseFixture("openai/chat-stream.sse"));
        Message streamed = AnthropicSdk.accumulate(client.messages().createStreaming(question("Say hi").build()));
        RecordedRequest up = onlyChatRequest();
        fake.reset();
        fake.enqueue(Reply.json(completion(expected, "stop", 9, 53)));
        Message created = client.messages().create(question("Say hi").build());

        assertThat(text(streamed)).isEqualTo(expected).isEqualTo(text(created));
        assertThat(streamed.content()).hasSize(1);
        assertThat(streamed.stopReason()).contains(StopReason.END_TURN);
        assertThat(streamed.model().asString()).isEqualTo(CLIENT_MODEL);
        assertThat(streamed.usage().outputTokens()).isPositive();
        assertThat(up.json().path("stream").asBoolean()).isTrue();
        assertThat(up.json().path("stream_options").path("include_usage").asBoolean()).isTrue();
    }

    @ParameterizedTest(name = "streaming: {0}")
    @ValueSource(booleans = {true, false})
    void aToolUseRoundTripReachesTheFinalAnswer(boolean streaming) {
        if (streaming) {
            fake.enqueue(Reply.sse().data(role()).data(content("Let me check."))
                    .data(toolCall(0, "chatcmpl-tool-9f2c", "get_weather", ""))
                    .data(toolArguments(0, "{\"city\": ")).data(toolArguments(0, "\"Paris\"}"))
                    .data(finish("tool_calls")).data(usage(80, 21)));
        } else {
            fake.enqueue(Reply.json(toolCompletion("chatcmpl-tool-9f2c", "get_weather", "{\"city\": \"Paris\"}", 80,
                    21)));
        }
        MessageCreateParams first = question("What is the weather in Paris?").addTool(weatherTool()).build();
        Message turn1 = streaming ? AnthropicSdk.accumulate(client.messages().createStreaming(first))
                : client.messages().create(first);

        assertThat(turn1.stopReason()).contains(StopReason.TOOL_USE);
        ToolUseBlock use = turn1.content().stream().filter(ContentBlock::isToolUse).findFirst().orElseThrow()
                .asToolUse();
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(use.id()).isEqualTo("chatcmpl-tool-9f2c");
        assertThat(AnthropicSdk.json(use._input())).isEqualTo(Json.tryParse("{\"city\":\"Paris\"}"));
        fake.reset();

        String answer = "It is 18°C and sunny in Paris.";
        if (streaming) {
            fake.enqueue(Reply.sse().data(role()).data(content("It is 18°C")).data(content(" and sunny in Paris."))
                    .data(finish("stop")).data(usage(120, 11)));
        } else {
            fake.enqueue(Reply.json(completion(answer, "stop", 120, 11)));
        }
        MessageCreateParams second = question("What is the weather in Paris?").addTool(weatherTool())
                .addMessage(turn1)
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder()
                        .toolUseId(use.id()).content("18°C, sunny").build())))
                .build();
        Message turn2 = streaming ? AnthropicSdk.accumulate(client.messages().createStreaming(second))
                : client.messages().create(second);

        assertThat(text(turn2)).isEqualTo(answer);
        assertThat(turn2.stopReason()).contains(StopReason.END_TURN);
        JsonNode msgs = onlyChatRequest().json().path("messages");
        assertThat(msgs).hasSize(3);
        JsonNode assistant = msgs.get(1);
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        JsonNode call = assistant.path("tool_calls").get(0);
        assertThat(call.path("id").asText()).isEqualTo(use.id());
        assertThat(call.path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(Json.tryParse(call.path("function").path("arguments").asText()))
                .isEqualTo(Json.tryParse("{\"city\":\"Paris\"}"));
        JsonNode tool = msgs.get(2);
        assertThat(tool.path("role").asText()).isEqualTo("tool");
        assertThat(tool.path("tool_call_id").asText()).isEqualTo(use.id());
        assertThat(tool.path("content").asText()).isEqualTo("18°C, sunny");
    }

    @Test
    void streamedReasoningFieldBecomesAThinkingBlockWithAnEmptySignature() {
        fake.enqueue(Reply.sseFixture("vllm/chat-stream-reasoning-usage.sse"));
        Message m = AnthropicSdk.accumulate(client.messages().createStreaming(question("2+2, then times 3?")
                .maxTokens(4096).enabledThinking(2048).build()));

        assertThat(m.content()).hasSize(2);
        assertThat(m.content().get(0).isThinking()).isTrue();
        assertThat(m.content().get(0).asThinking().thinking()).contains("multiply that result by 3");
        assertThat(m.content().get(0).asThinking().signature()).isEmpty();
        assertThat(text(m)).contains("**Final Answer:** 12");
        assertThat(m.usage().outputTokens()).isEqualTo(271);
        assertThat(m.usage().inputTokens()).isEqualTo(107);
        assertThat(onlyChatRequest().json().path("chat_template_kwargs").path("enable_thinking").asBoolean())
                .isTrue();
    }

    @Test
    void streamedReasoningContentFieldBecomesAThinkingBlockToo() {
        fake.enqueue(Reply.sse().data(role()).data(reasoning("reasoning_content", "Two plus two"))
                .data(reasoning("reasoning_content", " is four.")).data(content("4")).data(finish("stop"))
                .data(usage(12, 6)));
        Message m = AnthropicSdk.accumulate(client.messages().createStreaming(question("2+2?").build()));
        assertThat(m.content().get(0).asThinking().thinking()).isEqualTo("Two plus two is four.");
        assertThat(m.content().get(0).asThinking().signature()).isEmpty();
        assertThat(m.content().get(1).asText().text()).isEqualTo("4");
    }

    @Test
    void nonStreamingReasoningBecomesAThinkingBlockWithAnEmptySignature() {
        fake.enqueue(Reply.fixture("ollama/chat-reasoning.json"));
        Message m = client.messages().create(question("Capital of France?").build());
        assertThat(m.content().get(0).asThinking().thinking()).startsWith("Okay, the user is asking");
        assertThat(m.content().get(0).asThinking().signature()).isEmpty();
        assertThat(m.content().get(1).asText().text()).contains("Paris");
    }

    @Test
    void stopSequenceReportedByVllmAsAStringIsTheStopSequence() {
        fake.enqueue(Reply.json("""
                {"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,
                 "message":{"role":"assistant","content":"one two three "},"finish_reason":"stop","stop_reason":"END"}],
                 "usage":{"prompt_tokens":10,"completion_tokens":4,"total_tokens":14}}"""));
        Message m = client.messages().create(question("Count, then say END").stopSequences(List.of("END")).build());
        assertThat(m.stopReason()).contains(StopReason.STOP_SEQUENCE);
        assertThat(m.stopSequence()).contains("END");
        assertThat(onlyChatRequest().json().path("stop").get(0).asText()).isEqualTo("END");
    }

    @Test
    void betaMessagesWithTheBetaQueryParameterAndHeaderAreAccepted() {
        fake.enqueue(Reply.json(completion("Beta hello.", "stop", 5, 3)));
        BetaMessage m = client.beta().messages().create(com.anthropic.models.beta.messages.MessageCreateParams.builder()
                .model(CLIENT_MODEL).maxTokens(100).addUserMessage("Hi")
                .addBeta("interleaved-thinking-2025-05-14").addBeta("context-management-2025-06-27").build());
        assertThat(m.content().get(0).asText().text()).isEqualTo("Beta hello.");
        RecordedRequest up = onlyChatRequest();
        assertThat(up.header("anthropic-beta")).as("betas are not forwarded to a local runtime").isNull();

        fake.enqueue(Reply.json(completion("Raw beta hello.", "stop", 5, 3)));
        var raw = gateway.post("/v1/messages?beta=true", """
                {"model":"claude-haiku-4-5","max_tokens":50,"messages":[{"role":"user","content":"Hi"}]}""",
                "x-api-key", KEY, "anthropic-version", "2023-06-01",
                "anthropic-beta", "prompt-caching-2024-07-31,token-counting-2024-11-01,fine-grained-tool-streaming-2025-05-14");
        assertThat(raw.statusCode()).as(raw.body()).isEqualTo(200);
        assertThat(Gateway.json(raw).path("content").get(0).path("text").asText()).isEqualTo("Raw beta hello.");
    }

    @Test
    void unknownAndAnthropicOnlyBodyFieldsAreAcceptedAndNotForwarded() {
        fake.enqueue(Reply.json(completion("Fine.", "stop", 5, 2)));
        Message m = client.messages().create(question("Hi")
                .putAdditionalBodyProperty("context_management", JsonValue.from(Map.of("edits",
                        List.of(Map.of("type", "clear_tool_uses_20250919")))))
                .putAdditionalBodyProperty("some_future_field", JsonValue.from(Map.of("x", 1)))
                .build());
        assertThat(text(m)).isEqualTo("Fine.");
        JsonNode body = onlyChatRequest().json();
        assertThat(body.has("context_management")).isFalse();
        assertThat(body.has("some_future_field")).isFalse();
    }

    @Test
    void maxTokensZeroIsAnsweredWithoutCallingTheBackend() {
        var r = gateway.post("/v1/messages", """
                {"model":"claude-sonnet-4-5","max_tokens":0,"messages":[{"role":"user","content":"pre-warm"}]}""",
                "x-api-key", KEY, "anthropic-version", "2023-06-01");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode m = Gateway.json(r);
        assertThat(m.path("type").asText()).isEqualTo("message");
        assertThat(m.path("content")).isEmpty();
        assertThat(m.path("stop_reason").asText()).isEqualTo("max_tokens");
        assertThat(m.path("usage").path("input_tokens").asLong()).isPositive();
        assertThat(m.path("usage").path("output_tokens").asLong()).isZero();
        assertThat(fake.apiRequests()).as("nothing reached the runtime").isEmpty();
    }

    @Test
    void rawStreamFollowsTheEventRulesAndCarriesEventLines() throws Exception {
        fake.enqueue(Reply.sseFixture("openai/chat-stream-parallel-tool-calls-usage.sse"));
        try (RawHttp h = RawHttp.send(gateway.port(), "POST", "/v1/messages", Map.of("x-api-key", KEY,
                "anthropic-version", "2023-06-01", "content-type", "application/json"), """
                {"model":"claude-sonnet-4-5","max_tokens":200,"stream":true,
                 "messages":[{"role":"user","content":"Country and product?"}]}""".getBytes())) {
            h.readHead(Duration.ofSeconds(10));
            assertThat(h.status()).isEqualTo(200);
            assertThat(h.header("content-type")).startsWith("text/event-stream");
            StringBuilder sse = new StringBuilder();
            for (RawHttp.Event e : h.readEvents(Duration.ofSeconds(10))) {
                assertThat(e.text()).as("every frame names its event").startsWith("event: ");
                sse.append(e.text());
            }
            var events = AnthropicStreamInvariants.parse(sse.toString());
            AnthropicStreamInvariants.check(events);
            assertThat(events.stream().filter(e -> e.name().equals("content_block_start")).count()).isEqualTo(2);
            assertThat(events.get(events.size() - 2).data().path("delta").path("stop_reason").asText())
                    .isEqualTo("tool_use");
        }
    }
}
