package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseStreamEvent;
import dev.sluice.testing.FakeRuntime;
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
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * openai-java's Responses API against the gateway in front of a vLLM-speaking chat runtime: create, stream with
 * the SDK's accumulator, a function-call round trip, stored responses and {@code previous_response_id} scoped per
 * key, the stored-response endpoints, errors, a cut stream, and Codex's WebSocket attempt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ResponsesApiTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String CHUNK = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"qwen\",\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}";
    private static final String USAGE = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"qwen\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":4,"
            + "\"total_tokens\":15}}";

    private FakeRuntime vllm;
    private Gateway gateway;
    private OpenAIClient alice;
    private OpenAIClient bob;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        gateway = Gateway.in(vllm, "API_KEYS", "sk-alice,sk-bob", "MODEL_NAME", "qwen");
        alice = gateway.openAi("sk-alice");
        bob = gateway.openAi("sk-bob");
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

    private static Reply chatAnswer(String text) {
        return Reply.json(200, """
                {"id":"c1","object":"chat.completion","created":1,"model":"qwen","choices":[{"index":0,\
                "message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],\
                "usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}""".formatted(text));
    }

    private static ResponseCreateParams.Builder ask(String input) {
        return ResponseCreateParams.builder().model("qwen").input(input);
    }

    private static String text(Response r) {
        return r.output().stream().flatMap(i -> i.message().stream())
                .flatMap(m -> m.content().stream()).flatMap(c -> c.outputText().stream())
                .map(t -> t.text()).reduce("", String::concat);
    }

    @Test
    void a_response_is_created_from_the_runtimes_chat_answer() throws Exception {
        vllm.enqueue(chatAnswer("Hello there"));

        Response r = alice.responses().create(ask("Say hello").instructions("Be brief").build());

        assertThat(r.id()).startsWith("resp_");
        assertThat(text(r)).isEqualTo("Hello there");
        assertThat(r.usage().orElseThrow().inputTokens()).isEqualTo(9);
        assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(3);
        RecordedRequest sent = vllm.takeRequest();
        assertThat(sent.path()).isEqualTo("/v1/chat/completions");
        assertThat(sent.json().at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(sent.json().at("/messages/0/content").asText()).isEqualTo("Be brief");
        assertThat(sent.json().at("/messages/1/content").asText()).contains("Say hello");
    }

    @Test
    void a_streamed_response_accumulates_in_the_sdk_to_the_runtimes_text_and_usage() throws Exception {
        vllm.enqueue(Reply.sse()
                .data(CHUNK.formatted("{\"role\":\"assistant\",\"content\":\"\"}", "null"))
                .data(CHUNK.formatted("{\"content\":\"Hel\"}", "null"))
                .data(CHUNK.formatted("{\"content\":\"lo\"}", "null"))
                .data(CHUNK.formatted("{}", "\"stop\""))
                .data(USAGE));

        ResponseAccumulator acc = ResponseAccumulator.create();
        try (StreamResponse<ResponseStreamEvent> s = alice.responses().createStreaming(ask("hi").build())) {
            s.stream().forEach(acc::accumulate);
        }

        Response r = acc.response();
        assertThat(text(r)).isEqualTo("Hello");
        assertThat(r.usage().orElseThrow().inputTokens()).isEqualTo(11);
        assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(4);
        assertThat(vllm.takeRequest().json().at("/stream_options/include_usage").asBoolean()).isTrue();
    }

    @Test
    void a_function_call_round_trip_continues_from_the_stored_response() throws Exception {
        vllm.enqueue(Reply.fixture("vllm/chat-tool-call.json"));
        FunctionTool weather = FunctionTool.builder().name("get_weather").strict(false)
                .parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("location",
                                Map.of("type", "string")))).build()).build();

        Response first = alice.responses().create(ask("Weather in San Francisco?").addTool(weather).build());
        ResponseFunctionToolCall call = first.output().stream().flatMap(i -> i.functionCall().stream())
                .findFirst().orElseThrow();
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call.arguments()).contains("San Francisco");
        vllm.takeRequest();

        vllm.enqueue(chatAnswer("It is sunny"));
        Response second = alice.responses().create(ResponseCreateParams.builder().model("qwen")
                .previousResponseId(first.id()).addTool(weather)
                .inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(
                        ResponseInputItem.FunctionCallOutput.builder().callId(call.callId()).output("sunny, 21 C")
                                .build())))
                .build());

        assertThat(text(second)).isEqualTo("It is sunny");
        JsonNode messages = vllm.takeRequest().json().path("messages");
        assertThat(messages.get(0).path("content").asText()).contains("Weather in San Francisco?");
        assertThat(messages.get(1).path("role").asText()).isEqualTo("assistant");
        assertThat(messages.get(1).at("/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(messages.get(2).path("role").asText()).isEqualTo("tool");
        assertThat(messages.get(2).path("content").asText()).contains("sunny, 21 C");
    }

    @Test
    void a_stored_response_is_read_back_listed_and_deleted_by_its_key_only() throws Exception {
        vllm.enqueue(chatAnswer("Stored"));
        Response r = alice.responses().create(ask("keep this").build());

        assertThat(text(alice.responses().retrieve(r.id()))).isEqualTo("Stored");
        assertThat(alice.responses().inputItems().list(r.id()).data()).hasSize(1);
        assertThatThrownBy(() -> bob.responses().retrieve(r.id())).as("another key never sees it")
                .isInstanceOf(NotFoundException.class);
        vllm.enqueue(chatAnswer("nope"));
        assertThatThrownBy(() -> bob.responses().create(ask("go on").previousResponseId(r.id()).build()))
                .isInstanceOfSatisfying(BadRequestException.class,
                        e -> assertThat(e.code()).contains("previous_response_not_found"));

        alice.responses().delete(r.id());
        assertThatThrownBy(() -> alice.responses().retrieve(r.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void store_false_keeps_nothing() throws Exception {
        vllm.enqueue(chatAnswer("Gone"));
        Response r = alice.responses().create(ask("forget this").store(false).build());

        assertThatThrownBy(() -> alice.responses().retrieve(r.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void a_stream_cut_by_the_runtime_ends_with_response_failed_never_completed() throws Exception {
        vllm.enqueue(Reply.sse()
                .data(CHUNK.formatted("{\"role\":\"assistant\",\"content\":\"Hel\"}", "null"))
                .data(CHUNK.formatted("{\"content\":\"lo\"}", "null"))
                .data(CHUNK.formatted("{\"content\":\" there\"}", "null"))
                .cutAfter(2));

        List<RawHttp.Event> events;
        try (RawHttp client = RawHttp.postJson(gateway.port(), "/v1/responses", "sk-alice",
                "{\"model\":\"qwen\",\"input\":\"hi\",\"stream\":true}", WAIT)) {
            assertThat(client.status()).isEqualTo(200);
            events = client.readEvents(WAIT);
        }
        String last = events.getLast().text();
        assertThat(last).contains("response.failed");
        assertThat(events).noneMatch(e -> e.text().contains("response.completed"));
    }

    @Test
    void an_unknown_model_is_an_openai_error_before_the_first_byte() {
        assertThatThrownBy(() -> alice.responses().create(ResponseCreateParams.builder().model("nope").input("hi")
                .build())).isInstanceOfSatisfying(NotFoundException.class,
                        e -> assertThat(e.code()).contains("model_not_found"));
    }

    @Test
    void hosted_tools_are_dropped_and_named_in_a_header() throws Exception {
        vllm.enqueue(chatAnswer("ok"));
        try (RawHttp client = RawHttp.postJson(gateway.port(), "/v1/responses", "sk-alice",
                "{\"model\":\"qwen\",\"input\":\"hi\",\"tools\":[{\"type\":\"web_search\"}]}", WAIT)) {
            assertThat(client.status()).isEqualTo(200);
            assertThat(client.header(ResponsesController.DROPPED_TOOLS)).isEqualTo("web_search");
        }
        assertThat(vllm.takeRequest().json().has("tools")).isFalse();
    }

    @Test
    void codex_websocket_attempt_gets_426_so_it_falls_back_to_http() throws Exception {
        try (RawHttp client = RawHttp.send(gateway.port(), "GET", "/v1/responses", Map.of(
                "Authorization", "Bearer sk-alice", "Upgrade", "websocket", "Connection", "Upgrade",
                "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), null)) {
            client.readHead(WAIT);
            assertThat(client.status()).isEqualTo(426);
            assertThat(Gateway.json(client.bodyText(WAIT)).at("/error/code").asText()).isEqualTo("upgrade_required");
        }
    }

    @Test
    void a_compaction_trigger_gets_one_compaction_item_holding_the_models_summary() throws Exception {
        vllm.enqueue(chatAnswer("the summary"));
        String body = "{\"model\":\"qwen\",\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":"
                + "\"fix the bug\"},{\"type\":\"compaction_trigger\"}]}";
        JsonNode r;
        try (RawHttp client = RawHttp.postJson(gateway.port(), "/v1/responses", "sk-alice", body, WAIT)) {
            assertThat(client.status()).isEqualTo(200);
            r = Gateway.json(client.bodyText(WAIT));
        }
        assertThat(r.path("output")).hasSize(1);
        assertThat(r.at("/output/0/type").asText()).isEqualTo("compaction");
        String content = r.at("/output/0/encrypted_content").asText();
        assertThat(new String(java.util.Base64.getDecoder().decode(content.substring(content.indexOf(':') + 1)),
                java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("the summary");
        JsonNode sent = vllm.takeRequest().json();
        assertThat(sent.at("/messages/0/content").asText()).contains("fix the bug");
        assertThat(sent.path("messages").get(sent.path("messages").size() - 1).path("content").asText())
                .as("the summary prompt comes last").isNotBlank();
    }

    @Test
    void a_streamed_compaction_ends_with_the_compaction_item_and_response_completed() throws Exception {
        vllm.enqueue(Reply.sse()
                .data(CHUNK.formatted("{\"role\":\"assistant\",\"content\":\"sum\"}", "null"))
                .data(CHUNK.formatted("{\"content\":\"mary\"}", "null"))
                .data(CHUNK.formatted("{}", "\"stop\""))
                .data(USAGE));
        List<RawHttp.Event> events;
        try (RawHttp client = RawHttp.postJson(gateway.port(), "/v1/responses", "sk-alice", "{\"model\":\"qwen\","
                + "\"stream\":true,\"input\":[{\"type\":\"compaction_trigger\"}]}", WAIT)) {
            assertThat(client.status()).isEqualTo(200);
            events = client.readEvents(WAIT);
        }
        assertThat(events.getLast().text()).contains("response.completed");
        assertThat(events).anyMatch(e -> e.text().contains("response.output_item.done")
                && e.text().contains("\"compaction\""));
        assertThat(vllm.takeRequest().json().path("stream").asBoolean()).isTrue();
    }

    @Test
    void the_compact_endpoint_answers_the_sdks_compacted_response() throws Exception {
        vllm.enqueue(chatAnswer("short history"));

        com.openai.models.responses.CompactedResponse c = alice.responses().compact(
                com.openai.models.responses.ResponseCompactParams.builder().model("qwen").input("a long chat").build());

        assertThat(c.output()).hasSize(2);
        assertThat(c.output().get(0).message()).as("the user message is kept").isPresent();
        assertThat(c.output().get(1).compaction().orElseThrow().encryptedContent()).startsWith("sluice.compaction");
    }

    @Test
    void namespace_and_custom_tools_are_offered_flat_and_come_back_as_the_client_declared_them() throws Exception {
        vllm.enqueue(Reply.json(200, """
                {"id":"c1","object":"chat.completion","created":1,"model":"qwen","choices":[{"index":0,\
                "message":{"role":"assistant","content":null,"tool_calls":[\
                {"id":"call_abcdef123","type":"function","function":{"name":"multi_agent__spawn_agent",\
                "arguments":"{\\"task\\":\\"lint\\"}"}},\
                {"id":"call_abcdef456","type":"function","function":{"name":"apply_patch",\
                "arguments":"{\\"input\\":\\"*** Begin Patch\\"}"}}]},"finish_reason":"tool_calls"}],\
                "usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}"""));
        String body = """
                {"model":"qwen","input":"go","tools":[\
                {"type":"namespace","name":"multi_agent","description":"agents","tools":[\
                {"type":"function","name":"spawn_agent","parameters":{"type":"object","properties":{}}}]},\
                {"type":"custom","name":"apply_patch","description":"patch files"}]}""";
        Response r;
        try (RawHttp client = RawHttp.postJson(gateway.port(), "/v1/responses", "sk-alice", body, WAIT)) {
            assertThat(client.status()).isEqualTo(200);
            r = com.openai.core.ObjectMappers.jsonMapper().readValue(client.bodyText(WAIT), Response.class);
        }

        JsonNode sent = vllm.takeRequest().json();
        assertThat(sent.findValuesAsText("name")).contains("multi_agent__spawn_agent", "apply_patch");
        ResponseFunctionToolCall spawn = r.output().get(0).functionCall().orElseThrow();
        assertThat(spawn.name()).isEqualTo("spawn_agent");
        assertThat(spawn.namespace()).contains("multi_agent");
        var patch = r.output().get(1).customToolCall().orElseThrow();
        assertThat(patch.name()).isEqualTo("apply_patch");
        assertThat(patch.input()).isEqualTo("*** Begin Patch");
    }
}
