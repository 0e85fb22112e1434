package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Fixtures;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code stream_options.include_usage} (protocols.md rule 4): always asked of the runtime on streams, the
 * usage chunk stripped for clients that did not ask, and never sent on a non-streaming request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StreamUsageTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String FIXTURE = "vllm/chat-stream-reasoning-usage.sse";

    private FakeRuntime vllm;
    private FakeRuntime llamacpp;
    private Gateway vllmGateway;
    private Gateway llamacppGateway;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        llamacpp = FakeRuntime.llamacpp();
        vllmGateway = Gateway.in(vllm);
        llamacppGateway = Gateway.in(llamacpp);
    }

    @AfterAll
    void stop() {
        vllmGateway.close();
        llamacppGateway.close();
        vllm.close();
        llamacpp.close();
    }

    @BeforeEach
    void reset() {
        vllm.reset();
        llamacpp.reset();
    }

    private static String streamRequest(String streamOptions) {
        return "{\"model\":\"Qwen/Qwen3-0.6B\",\"stream\":true," + (streamOptions == null ? ""
                : "\"stream_options\":" + streamOptions + ",")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"count to 12\"}]}";
    }

    private static boolean isUsageChunk(RawHttp.Event e) {
        String t = e.text();
        return t.startsWith("data: {") && Gateway.json(t.substring(6)).path("usage").isObject();
    }

    @Test
    void the_runtime_is_asked_for_usage_even_when_the_client_did_not_ask() throws Exception {
        vllm.enqueue(Reply.sseFixture(FIXTURE));

        try (RawHttp client = RawHttp.postJson(vllmGateway.port(), "/v1/chat/completions", null,
                streamRequest(null), WAIT)) {
            client.readEvents(WAIT);
        }

        JsonNode sent = vllm.takeRequest().json();
        assertThat(sent.at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(sent.at("/messages/0/content").asText()).isEqualTo("count to 12");
    }

    @Test
    void a_client_that_did_not_ask_gets_every_event_but_the_usage_chunk() throws Exception {
        vllm.enqueue(Reply.sseFixture(FIXTURE));

        List<RawHttp.Event> got;
        try (RawHttp client = RawHttp.postJson(vllmGateway.port(), "/v1/chat/completions", null,
                streamRequest("{\"include_usage\":false}"), WAIT)) {
            got = client.readEvents(WAIT);
        }

        List<byte[]> recorded = Fixtures.events(FIXTURE);
        assertThat(new String(recorded.get(recorded.size() - 1))).contains("\"usage\":{\"completion_tokens\":271");
        assertThat(got).noneMatch(StreamUsageTest::isUsageChunk);
        assertThat(got).hasSize(recorded.size()); // all but the usage chunk, plus [DONE]
        for (int i = 0; i < recorded.size() - 1; i++) {
            assertThat(got.get(i).bytes()).as("event %d", i).isEqualTo(recorded.get(i));
        }
        assertThat(got.get(got.size() - 1).text()).isEqualTo("data: [DONE]\n\n");
        assertThat(vllm.takeRequest().json().at("/stream_options/include_usage").asBoolean()).isTrue();
    }

    @Test
    void a_client_that_asked_gets_the_usage_chunk_as_the_runtime_sent_it() throws Exception {
        vllm.enqueue(Reply.sseFixture(FIXTURE));
        String request = streamRequest("{\"include_usage\":true}");

        List<RawHttp.Event> got;
        try (RawHttp client = RawHttp.postJson(vllmGateway.port(), "/v1/chat/completions", null, request, WAIT)) {
            got = client.readEvents(WAIT);
        }

        List<byte[]> recorded = Fixtures.events(FIXTURE);
        assertThat(got).hasSize(recorded.size() + 1);
        assertThat(got.get(recorded.size() - 1).bytes()).isEqualTo(recorded.get(recorded.size() - 1));
        assertThat(isUsageChunk(got.get(recorded.size() - 1))).isTrue();
        assertThat(vllm.takeRequest().bodyText()).as("nothing to change: the client's bytes go upstream")
                .isEqualTo(request);
    }

    @Test
    void the_sdk_gets_usage_only_when_it_asks() throws Exception {
        OpenAIClient sdk = vllmGateway.openAi("unused");
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder().model("Qwen/Qwen3-0.6B")
                .addUserMessage("count to 12");

        vllm.enqueue(Reply.sseFixture(FIXTURE));
        List<CompletionUsage> unasked = usages(sdk, params.build());
        vllm.enqueue(Reply.sseFixture(FIXTURE));
        List<CompletionUsage> asked = usages(sdk, params
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());

        assertThat(unasked).isEmpty();
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0).promptTokens()).isEqualTo(107);
        assertThat(asked.get(0).completionTokens()).isEqualTo(271);
    }

    private static List<CompletionUsage> usages(OpenAIClient sdk, ChatCompletionCreateParams params) {
        List<CompletionUsage> out = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions().createStreaming(params)) {
            s.stream().forEach(c -> c.usage().ifPresent(out::add));
        }
        return out;
    }

    @Test
    void llamacpp_usage_sent_unasked_is_stripped_from_the_final_chunk_and_the_usage_chunk() throws Exception {
        String finalChunk = "{\"choices\":[{\"finish_reason\":\"stop\",\"index\":0,\"delta\":{}}],\"created\":1,"
                + "\"id\":\"chatcmpl-x\",\"model\":\"qwen2.5\",\"object\":\"chat.completion.chunk\","
                + "\"usage\":{\"completion_tokens\":2,\"prompt_tokens\":9,\"total_tokens\":11},"
                + "\"timings\":{\"prompt_n\":9,\"predicted_n\":2}}";
        llamacpp.enqueue(Reply.sse()
                .data("{\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"content\":\"Hi\"}}],"
                        + "\"created\":1,"
                        + "\"id\":\"chatcmpl-x\",\"model\":\"qwen2.5\",\"object\":\"chat.completion.chunk\"}")
                .data(finalChunk)
                .data("{\"choices\":[],\"created\":1,\"id\":\"chatcmpl-x\",\"model\":\"qwen2.5\","
                        + "\"object\":\"chat.completion.chunk\",\"usage\":{\"completion_tokens\":2,\"prompt_tokens\":9,"
                        + "\"total_tokens\":11}}"));

        List<RawHttp.Event> got;
        try (RawHttp client = RawHttp.postJson(llamacppGateway.port(), "/v1/chat/completions", null,
                streamRequest(null), WAIT)) {
            got = client.readEvents(WAIT);
        }

        assertThat(got).hasSize(3);
        assertThat(got.get(0).text()).contains("\"content\":\"Hi\"");
        JsonNode last = Gateway.json(got.get(1).text().substring(6));
        assertThat(last.has("usage")).as("usage removed from %s", last).isFalse();
        assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(last.at("/timings/predicted_n").asInt()).as("other fields kept").isEqualTo(2);
        assertThat(got.get(2).text()).isEqualTo("data: [DONE]\n\n");
        assertThat(got).noneMatch(StreamUsageTest::isUsageChunk);
    }

    @Test
    void stream_options_is_removed_from_a_non_streaming_request() throws Exception {
        vllm.enqueue(Reply.fixture("vllm/chat.json"));

        HttpResponse<String> res = vllmGateway.post("/v1/chat/completions", "{\"model\":\"Qwen/Qwen3-0.6B\","
                + "\"stream\":false,\"stream_options\":{\"include_usage\":true},\"temperature\":0.2,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo(Fixtures.text("vllm/chat.json"));
        RecordedRequest req = vllm.takeRequest();
        assertThat(req.json().has("stream_options")).isFalse();
        assertThat(req.json().path("stream").asBoolean(true)).isFalse();
        assertThat(req.json().path("temperature").asDouble()).isEqualTo(0.2);
    }

    @Test
    void stream_options_is_removed_when_stream_is_absent() throws Exception {
        vllm.enqueue(Reply.fixture("vllm/chat.json"));

        HttpResponse<String> res = vllmGateway.post("/v1/chat/completions", "{\"model\":\"Qwen/Qwen3-0.6B\","
                + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(vllm.takeRequest().json().has("stream_options")).isFalse();
    }
}
