package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.RecordedRequest;
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
 * While a runtime is silent (model loading, long prefill, slow tokens) the gateway sends SSE comment lines
 * every KEEPALIVE_S, so proxies with read timeouts do not cut the stream; clients ignore them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class KeepAliveTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String STREAM = "{\"model\":\"llama3.2\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String KEEP_ALIVE = ": keep-alive\n\n";

    private FakeRuntime ollama;
    private Gateway gateway;

    @BeforeAll
    void start() {
        ollama = FakeRuntime.ollama();
        gateway = Gateway.in(ollama, "KEEPALIVE_S", "0.2");
    }

    @AfterAll
    void stop() {
        gateway.close();
        ollama.close();
    }

    @BeforeEach
    void reset() {
        ollama.reset();
    }

    private static Reply.Sse answer() {
        return Reply.sse()
                .data("{\"id\":\"x\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"}}]}")
                .data(Chunks.stop("x"));
    }

    @Test
    void a_client_waiting_for_a_loading_model_gets_its_200_and_keep_alive_comments() throws Exception {
        ollama.enqueue(answer().headerDelay(Duration.ofMillis(1200)));

        try (RawHttp client = RawHttp.postJson(gateway.port(), "/v1/chat/completions", null, STREAM, WAIT)) {
            long headAt = System.nanoTime();
            assertThat(client.status()).isEqualTo(200);
            RecordedRequest upstream = ollama.takeRequest();
            List<RawHttp.Event> got = client.readEvents(WAIT);

            assertThat(upstream.eventsSent()).isEqualTo(3);
            assertThat(headAt).as("200 before the runtime sent anything").isLessThan(upstream.eventSentAt(0));
            List<String> texts = got.stream().map(RawHttp.Event::text).toList();
            int firstData = texts.indexOf(texts.stream().filter(t -> t.startsWith("data:")).findFirst().orElseThrow());
            assertThat(texts.subList(0, firstData)).hasSizeGreaterThanOrEqualTo(3).containsOnly(KEEP_ALIVE);
            assertThat(texts.get(texts.size() - 1)).isEqualTo("data: [DONE]\n\n");
        }
    }

    @Test
    void a_pause_between_tokens_is_filled_with_keep_alive_comments() throws Exception {
        ollama.enqueue(Reply.sse()
                .data(Chunks.delta("x", "Hel"))
                .pause(Duration.ofMillis(900))
                .data("{\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},"
                        + "\"finish_reason\":\"stop\"}]}"));

        List<String> texts;
        try (RawHttp client = RawHttp.postJson(gateway.port(), "/v1/chat/completions", null, STREAM, WAIT)) {
            texts = client.readEvents(WAIT).stream().map(RawHttp.Event::text).toList();
        }

        assertThat(texts.get(0)).contains("Hel");
        int second = texts.size() - 2;
        assertThat(texts.get(second)).contains("\"lo\"");
        assertThat(texts.subList(1, second)).hasSizeGreaterThanOrEqualTo(2).containsOnly(KEEP_ALIVE);
    }

    @Test
    void the_openai_sdk_ignores_the_keep_alive_comments() {
        ollama.enqueue(answer().headerDelay(Duration.ofMillis(700)));
        OpenAIClient sdk = gateway.openAi("unused");

        List<String> deltas = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("llama3.2").addUserMessage("hi").build())) {
            s.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(deltas::add)));
        }

        assertThat(deltas).containsExactly("Hi");
    }
}
