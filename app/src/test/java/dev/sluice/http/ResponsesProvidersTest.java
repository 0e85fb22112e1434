package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseStreamEvent;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Responses API toward the two deployments that are not chat runtimes: the real Anthropic API (Responses →
 * chat → Messages and back, JSON and stream), and a runtime that serves {@code /v1/responses} itself
 * ({@code responses_api: native}), which gets the client's request with only the model replaced.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ResponsesProvidersTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String NATIVE_RESPONSE = """
            {"id":"resp_native1","object":"response","created_at":1,"status":"completed","model":"served-model",\
            "output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant",\
            "content":[{"type":"output_text","text":"native hello","annotations":[]}]}],\
            "usage":{"input_tokens":5,"output_tokens":2,"total_tokens":7,\
            "input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}}}""";

    private FakeRuntime anthropic;
    private FakeRuntime vllm;
    private Gateway gateway;
    private OpenAIClient sdk;

    @BeforeAll
    void start() throws Exception {
        anthropic = FakeRuntime.vllm(); // every reply below is scripted in Anthropic's shapes
        vllm = FakeRuntime.vllm();
        Path file = Files.createTempDirectory("sluice-responses").resolve("sluice.yaml");
        Files.writeString(file, """
                model_list:
                  - model_name: claude
                    params:
                      model: anthropic/claude-sonnet-4-5
                      api_base: http://127.0.0.1:%d
                      api_key: test-key
                  - model_name: native
                    params:
                      model: vllm/served-model
                      api_base: http://127.0.0.1:%d/v1
                      responses_api: native
                general_settings:
                  num_retries: 0
                """.formatted(anthropic.port(), vllm.port()));
        gateway = Gateway.builder().env("sluice.config.file", file.toString()).start();
        sdk = gateway.openAi("client-key");
    }

    @AfterAll
    void stop() {
        gateway.close();
        anthropic.close();
        vllm.close();
    }

    @BeforeEach
    void reset() {
        anthropic.reset();
        vllm.reset();
    }

    private static String text(Response r) {
        return r.output().stream().flatMap(i -> i.message().stream())
                .flatMap(m -> m.content().stream()).flatMap(c -> c.outputText().stream())
                .map(t -> t.text()).reduce("", String::concat);
    }

    @Test
    void a_response_from_claude_is_translated_from_messages() throws Exception {
        anthropic.enqueue(Reply.fixture("anthropic/messages-text.json"));

        Response r = sdk.responses().create(ResponseCreateParams.builder().model("claude").input("Two numbers?")
                .instructions("Be brief.").maxOutputTokens(300).build());

        JsonNode fixture = Gateway.json(dev.sluice.testing.Fixtures.text("anthropic/messages-text.json"));
        assertThat(text(r)).isEqualTo(fixture.at("/content/0/text").asText());
        assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(fixture.at("/usage/output_tokens").asLong());
        RecordedRequest sent = anthropic.takeRequest();
        assertThat(sent.path()).isEqualTo("/v1/messages");
        assertThat(sent.json().path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(sent.json().path("system").toString()).contains("Be brief.");
        assertThat(sent.json().path("max_tokens").asInt()).isEqualTo(300);
    }

    @Test
    void a_streamed_tool_use_from_claude_accumulates_to_a_function_call() throws Exception {
        anthropic.enqueue(Reply.sseFixture("anthropic/messages-stream-tool-use.sse"));
        FunctionTool weather = FunctionTool.builder().name("get_weather").strict(false)
                .parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of())).build()).build();

        ResponseAccumulator acc = ResponseAccumulator.create();
        try (StreamResponse<ResponseStreamEvent> s = sdk.responses().createStreaming(ResponseCreateParams.builder()
                .model("claude").input("Weather?").addTool(weather).build())) {
            s.stream().forEach(acc::accumulate);
        }

        ResponseFunctionToolCall call = acc.response().output().stream().flatMap(i -> i.functionCall().stream())
                .findFirst().orElseThrow();
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(Gateway.json(call.arguments()).isObject()).isTrue();
        assertThat(anthropic.takeRequest().json().path("stream").asBoolean()).isTrue();
    }

    @Test
    void a_native_runtime_gets_the_request_as_sent_with_its_model() throws Exception {
        vllm.enqueue(Reply.json(200, NATIVE_RESPONSE));

        Response r = sdk.responses().create(ResponseCreateParams.builder().model("native").input("hi").build());

        assertThat(text(r)).isEqualTo("native hello");
        RecordedRequest sent = vllm.takeRequest();
        assertThat(sent.path()).isEqualTo("/v1/responses");
        assertThat(sent.json().path("model").asText()).isEqualTo("served-model");
        assertThat(sent.json().path("input").asText()).isEqualTo("hi");
    }

    @Test
    void a_native_stream_cut_before_its_terminal_event_ends_with_response_failed() throws Exception {
        vllm.enqueue(Reply.sse()
                .raw("event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,"
                        + "\"response\":{\"id\":\"resp_n2\",\"object\":\"response\",\"status\":\"in_progress\","
                        + "\"output\":[]}}\n\n")
                .raw("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
                        + "\"sequence_number\":1,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,"
                        + "\"delta\":\"Hel\"}\n\n")
                .withoutDone());

        List<RawHttp.Event> events;
        try (RawHttp client = RawHttp.postJson(gateway.port(), "/v1/responses", "client-key",
                "{\"model\":\"native\",\"input\":\"hi\",\"stream\":true}", WAIT)) {
            assertThat(client.status()).isEqualTo(200);
            events = client.readEvents(WAIT);
        }
        assertThat(events.get(0).text()).contains("response.created");
        JsonNode last = Gateway.json(events.getLast().text().lines().filter(l -> l.startsWith("data: "))
                .findFirst().orElseThrow().substring(6));
        assertThat(last.path("type").asText()).isEqualTo("response.failed");
        assertThat(last.at("/response/id").asText()).isEqualTo("resp_n2");
        assertThat(last.path("sequence_number").asLong()).isEqualTo(2);
    }

    @Test
    void the_model_list_says_who_owns_each_alias() {
        var models = sdk.models().list().data();
        assertThat(models).filteredOn(m -> m.id().equals("claude")).extracting(m -> m.ownedBy())
                .containsExactly("anthropic");
        assertThat(models).filteredOn(m -> m.id().equals("native")).extracting(m -> m.ownedBy())
                .containsExactly("vllm");
    }
}
