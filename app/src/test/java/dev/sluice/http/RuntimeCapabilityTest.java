package dev.sluice.http;

import static dev.sluice.testing.OpenAiErrorAssert.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a runtime cannot do is refused by the gateway with a clear error before anything is sent (TGI has
 * no embeddings, llama.cpp no n > 1), and what it must be told differently is rewritten both ways (TGI is
 * always sent model "tgi"); MODEL_NAME limits the gateway to one model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RuntimeCapabilityTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private FakeRuntime tgi;
    private FakeRuntime llamacpp;
    private FakeRuntime vllm;
    private Gateway tgiGateway;
    private Gateway llamacppGateway;
    private Gateway oneModelGateway;

    @BeforeAll
    void start() {
        tgi = FakeRuntime.tgi();
        llamacpp = FakeRuntime.llamacpp();
        vllm = FakeRuntime.vllm();
        tgiGateway = Gateway.in(tgi);
        llamacppGateway = Gateway.in(llamacpp);
        oneModelGateway = Gateway.in(vllm, "MODEL_NAME", "served-model");
    }

    @AfterAll
    void stop() {
        tgiGateway.close();
        llamacppGateway.close();
        oneModelGateway.close();
        tgi.close();
        llamacpp.close();
        vllm.close();
    }

    @BeforeEach
    void reset() {
        tgi.reset();
        llamacpp.reset();
        vllm.reset();
    }

    @Test
    void embeddings_on_tgi_are_a_501_structured_error_and_tgi_is_not_called() {
        HttpResponse<String> res = tgiGateway.post("/v1/embeddings", "{\"model\":\"m\",\"input\":\"hello\"}");

        JsonNode error = assertOpenAiError(res, 501);
        assertThat(error.path("type").asText()).isEqualTo("not_supported_error");
        assertThat(error.path("code").asText()).isEqualTo("not_supported");
        assertThat(error.path("message").asText()).contains("/v1/embeddings").contains("tgi");
        assertThat(tgi.apiRequests()).isEmpty();
    }

    @Test
    void the_sdk_sees_the_501_from_tgi_as_a_service_error() {
        assertThatThrownBy(() -> tgiGateway.openAi("unused").embeddings().create(EmbeddingCreateParams.builder()
                .model("m").input("hello").build()))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(501);
                    assertThat(e.code()).contains("not_supported");
                });
    }

    @Test
    void n_2_on_llamacpp_is_a_400_on_param_n_and_llamacpp_is_not_called() {
        HttpResponse<String> res = llamacppGateway.post("/v1/chat/completions",
                "{\"model\":\"qwen2.5\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        JsonNode error = assertOpenAiError(res, 400);
        assertThat(error.path("param").asText()).isEqualTo("n");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains("n=2").contains("llamacpp");
        assertThat(llamacpp.apiRequests()).isEmpty();
    }

    @Test
    void n_1_on_llamacpp_goes_through() throws Exception {
        llamacpp.enqueue(Reply.json("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"qwen2.5\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
                + "\"finish_reason\":\"stop\"}]}"));

        HttpResponse<String> res = llamacppGateway.post("/v1/chat/completions",
                "{\"model\":\"qwen2.5\",\"n\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(llamacpp.takeRequest().json().path("n").asInt()).isEqualTo(1);
    }

    @Test
    void tgi_is_sent_model_tgi_and_the_client_gets_its_own_model_name_back() throws Exception {
        tgi.enqueue(Reply.fixture("tgi/chat-tool-call.json"));

        ChatCompletion c = tgiGateway.openAi("unused").chat().completions().create(ChatCompletionCreateParams
                .builder().model("my-llama").addUserMessage("Weather in Brooklyn?").build());

        assertThat(c.model()).isEqualTo("my-llama");
        var call = c.choices().get(0).message().toolCalls().get().get(0).asFunction();
        assertThat(call.function().name()).isEqualTo("get_current_weather");
        assertThat(Gateway.json(call.function().arguments()).path("location").asText()).isEqualTo("Brooklyn, NY");
        assertThat(tgi.takeRequest().json().path("model").asText()).isEqualTo("tgi");
    }

    @Test
    void a_recorded_tgi_tool_call_stream_reaches_the_sdk_with_the_client_model_on_every_chunk() throws Exception {
        tgi.enqueue(Reply.sseFixture("tgi/chat-stream-tool-call.sse"));
        StringBuilder arguments = new StringBuilder();
        List<String> names = new java.util.ArrayList<>();

        // the TGI recording has no finish_reason chunk, so ChatCompletionAccumulator cannot finalise it:
        // collect the tool-call deltas by hand
        try (StreamResponse<ChatCompletionChunk> s = tgiGateway.openAi("unused").chat().completions()
                .createStreaming(ChatCompletionCreateParams.builder().model("my-llama")
                        .addUserMessage("Weather in Brooklyn?").build())) {
            s.stream().forEach(chunk -> {
                assertThat(chunk.model()).isEqualTo("my-llama");
                chunk.choices().forEach(c -> c.delta().toolCalls().ifPresent(calls -> calls.forEach(call ->
                        call.function().ifPresent(f -> {
                            f.name().ifPresent(names::add);
                            f.arguments().ifPresent(arguments::append);
                        }))));
            });
        }

        assertThat(names).containsExactly("get_current_weather");
        JsonNode args = Gateway.json(arguments.toString());
        assertThat(args.path("location").asText()).isEqualTo("Brooklyn, NY");
        assertThat(args.path("format").asText()).isEqualTo("fahrenheit");
        assertThat(tgi.takeRequest().json().path("model").asText()).isEqualTo("tgi");
    }

    @Test
    void tgi_stream_chunks_keep_every_field_but_the_model_name() throws Exception {
        tgi.enqueue(Reply.sseFixture("tgi/chat-stream-usage-finish-length.sse"));

        List<RawHttp.Event> got;
        try (RawHttp client = RawHttp.postJson(tgiGateway.port(), "/v1/chat/completions", null,
                "{\"model\":\"my-llama\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"What is deep learning?\"}]}", WAIT)) {
            got = client.readEvents(WAIT);
        }

        List<byte[]> recorded = dev.sluice.testing.Fixtures.events("tgi/chat-stream-usage-finish-length.sse");
        assertThat(got).hasSize(recorded.size() + 1);
        for (int i = 0; i < recorded.size(); i++) {
            JsonNode sent = Gateway.json(new String(recorded.get(i)).substring(6));
            JsonNode received = Gateway.json(got.get(i).text().substring(6));
            ((com.fasterxml.jackson.databind.node.ObjectNode) sent).put("model", "my-llama");
            assertThat(received).as("event %d", i).isEqualTo(sent);
        }
    }

    @Test
    void with_model_name_set_another_model_is_a_404_and_the_runtime_is_not_called() {
        HttpResponse<String> res = oneModelGateway.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        JsonNode error = assertOpenAiError(res, 404);
        assertThat(error.path("code").asText()).isEqualTo("model_not_found");
        assertThat(error.path("param").asText()).isEqualTo("model");
        assertThat(error.path("message").asText()).contains("served-model");
        assertThat(vllm.apiRequests()).isEmpty();
    }

    @Test
    void with_model_name_set_the_model_list_is_that_one_model_without_asking_the_runtime() {
        var sdk = oneModelGateway.openAi("unused");

        assertThat(sdk.models().list().data()).extracting(m -> m.id()).containsExactly("served-model");
        assertThat(sdk.models().retrieve("served-model").ownedBy()).isEqualTo("vllm");
        assertThatThrownBy(() -> sdk.models().retrieve("gpt-4o")).isInstanceOf(NotFoundException.class);
        assertThat(vllm.apiRequests()).isEmpty();
    }

    @Test
    void with_model_name_set_a_request_without_model_is_sent_the_configured_one() throws Exception {
        vllm.enqueue(Reply.fixture("vllm/completions.json"));

        HttpResponse<String> res = oneModelGateway.post("/v1/completions", "{\"prompt\":\"Say a happy word\"}");

        assertThat(res.statusCode()).isEqualTo(200);
        RecordedRequest req = vllm.takeRequest();
        assertThat(req.json().path("model").asText()).isEqualTo("served-model");
        assertThat(req.json().path("prompt").asText()).isEqualTo("Say a happy word");
    }
}
