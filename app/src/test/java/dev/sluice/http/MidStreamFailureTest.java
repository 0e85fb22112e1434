package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIException;
import com.openai.errors.SseException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.OpenAiErrorAssert;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.Reply;
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
 * After the 200 has gone out, an upstream failure travels in-band: one final OpenAI error event and no
 * {@code [DONE]}, so no client mistakes a truncated answer for a complete one (protocols.md §2.3, §5.5 #42).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class MidStreamFailureTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String STREAM = Chunks.chatRequest(true);
    private static final String DELTA = "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}]}";

    private FakeRuntime vllm;
    private FakeRuntime tgi;
    private Gateway vllmGateway;
    private Gateway tgiGateway;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        tgi = FakeRuntime.tgi();
        vllmGateway = Gateway.in(vllm);
        tgiGateway = Gateway.in(tgi);
    }

    @AfterAll
    void stop() {
        vllmGateway.close();
        tgiGateway.close();
        vllm.close();
        tgi.close();
    }

    @BeforeEach
    void reset() {
        vllm.reset();
        tgi.reset();
    }

    private static Reply.Sse threeDeltasCutAfterTwo() {
        return Reply.sse().data(DELTA.formatted("Hel")).data(DELTA.formatted("lo")).data(DELTA.formatted(" there"))
                .cutAfter(2);
    }

    @Test
    void a_runtime_dying_mid_stream_ends_the_stream_with_an_error_event_and_no_done() throws Exception {
        Reply.Sse script = threeDeltasCutAfterTwo();
        vllm.enqueue(script);

        List<RawHttp.Event> got;
        try (RawHttp client = RawHttp.postJson(vllmGateway.port(), "/v1/chat/completions", null, STREAM, WAIT)) {
            assertThat(client.status()).isEqualTo(200);
            got = client.readEvents(WAIT); // returns only if the gateway ends the body properly
            assertThat(client.leftover()).isEmpty();
        }

        assertThat(got).hasSize(3);
        assertThat(got.get(0).bytes()).isEqualTo(script.events().get(0));
        assertThat(got.get(1).bytes()).isEqualTo(script.events().get(1));
        String last = got.get(2).text();
        assertThat(last).startsWith("data: {\"error\":").endsWith("\n\n");
        JsonNode error = OpenAiErrorAssert.assertEnvelope(last.substring("data: ".length()).strip());
        assertThat(error.path("type").asText()).isEqualTo("server_error");
        assertThat(got).noneMatch(e -> e.text().contains("[DONE]"));
    }

    @Test
    void the_openai_sdk_raises_on_the_error_event_after_the_deltas_it_got() {
        vllm.enqueue(threeDeltasCutAfterTwo());
        OpenAIClient sdk = vllmGateway.openAi("unused");
        List<String> deltas = new ArrayList<>();

        assertThatThrownBy(() -> {
            try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions().createStreaming(
                    ChatCompletionCreateParams.builder().model("m").addUserMessage("hi").build())) {
                s.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(deltas::add)));
            }
        }).isInstanceOf(SseException.class);

        assertThat(deltas).containsExactly("Hel", "lo");
    }

    @Test
    void a_stream_that_ends_cleanly_but_unfinished_still_ends_with_an_error_event() throws Exception {
        vllm.enqueue(Reply.sse().data(DELTA.formatted("Hel")).data(DELTA.formatted("lo")).withoutDone());

        List<RawHttp.Event> got;
        try (RawHttp client = RawHttp.postJson(vllmGateway.port(), "/v1/chat/completions", null, STREAM, WAIT)) {
            got = client.readEvents(WAIT);
        }

        assertThat(got).hasSize(3);
        assertThat(got.get(2).text()).startsWith("data: {\"error\":");
        assertThat(got).noneMatch(e -> e.text().contains("[DONE]"));
    }

    @Test
    void a_tgi_in_band_error_becomes_the_openai_error_event_and_the_upstream_is_closed() throws Exception {
        tgi.enqueue(Reply.sse()
                .data(DELTA.formatted("Hel"))
                .data("{\"error\":\"Request failed during generation: Server error: CUDA out of memory\","
                        + "\"error_type\":\"generation\"}")
                .data(DELTA.formatted("never")));

        List<RawHttp.Event> got;
        try (RawHttp client = RawHttp.postJson(tgiGateway.port(), "/v1/chat/completions", null, STREAM, WAIT)) {
            got = client.readEvents(WAIT);
        }

        assertThat(got).hasSize(2);
        JsonNode error = OpenAiErrorAssert.assertEnvelope(got.get(1).text().substring("data: ".length()).strip());
        assertThat(error.path("message").asText()).contains("CUDA out of memory");
        assertThat(got).noneMatch(e -> e.text().contains("never") || e.text().contains("[DONE]"));
    }

    @Test
    void a_vllm_in_band_error_object_raises_in_the_sdk_with_its_message() {
        vllm.enqueue(Reply.sse()
                .data(DELTA.formatted("Hel"))
                .data("{\"error\":{\"message\":\"engine step failed\",\"type\":\"InternalServerError\","
                        + "\"code\":500}}"));
        OpenAIClient sdk = vllmGateway.openAi("unused");

        assertThatThrownBy(() -> {
            try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions().createStreaming(
                    ChatCompletionCreateParams.builder().model("m").addUserMessage("hi").build())) {
                s.stream().forEach(c -> { });
            }
        }).isInstanceOf(OpenAIException.class).hasMessageContaining("engine step failed");
    }

    @Test
    void a_non_streaming_answer_cut_mid_body_is_a_502_never_a_truncated_200() throws Exception {
        vllm.enqueue(Reply.fixture("vllm/chat.json").cutAt(200));

        var res = vllmGateway.post("/v1/chat/completions",
                Chunks.chatRequest(false));

        JsonNode error = OpenAiErrorAssert.assertOpenAiError(res, 502);
        assertThat(error.path("message").asText()).contains("closed the connection");
        assertThat(res.body()).doesNotContain("rec-77cf21828360");
    }
}
