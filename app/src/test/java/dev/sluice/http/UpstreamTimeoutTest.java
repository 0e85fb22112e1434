package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.OpenAiErrorAssert;
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
 * Every wait has a limit: FIRST_BYTE_TIMEOUT_S before a stream starts (a real 504), IDLE_TIMEOUT_S between
 * events once it has (an in-band error), REQUEST_TIMEOUT_S for a whole non-streaming exchange. Each one
 * also closes the upstream connection so the runtime stops.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UpstreamTimeoutTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String STREAM = Chunks.chatRequest(true);
    private static final String UNARY = Chunks.chatRequest(false);

    private FakeRuntime stallingRuntime;
    private FakeRuntime slowRuntime;
    private Gateway streamLimits;
    private Gateway requestLimit;

    @BeforeAll
    void start() {
        stallingRuntime = FakeRuntime.vllm();
        slowRuntime = FakeRuntime.ollama();
        streamLimits = Gateway.in(stallingRuntime, "FIRST_BYTE_TIMEOUT_S", "1", "IDLE_TIMEOUT_S", "1");
        requestLimit = Gateway.in(slowRuntime, "REQUEST_TIMEOUT_S", "1");
    }

    @AfterAll
    void stop() {
        streamLimits.close();
        requestLimit.close();
        stallingRuntime.close();
        slowRuntime.close();
    }

    @BeforeEach
    void reset() {
        stallingRuntime.reset();
        slowRuntime.reset();
    }

    @Test
    void a_runtime_that_never_answers_a_stream_gets_a_504_after_the_first_byte_timeout() throws Exception {
        stallingRuntime.enqueue(Reply.hang());

        long start = System.nanoTime();
        HttpResponse<String> res = streamLimits.post("/v1/chat/completions", STREAM);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        JsonNode error = OpenAiErrorAssert.assertOpenAiError(res, 504);
        assertThat(error.path("type").asText()).isEqualTo("server_error");
        assertThat(error.path("code").asText()).isEqualTo("timeout");
        assertThat(error.path("message").asText()).contains("FIRST_BYTE_TIMEOUT_S");
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofMillis(4000));
        stallingRuntime.takeRequest().awaitClosedByGateway(Duration.ofSeconds(1));
    }

    @Test
    void a_stream_that_stalls_after_two_events_ends_with_an_in_band_timeout_error() throws Exception {
        stallingRuntime.enqueue(Reply.sse()
                .data(Chunks.delta("x", "Hel"))
                .data(Chunks.delta("x", "lo"))
                .stallAfter(2));

        List<RawHttp.Event> got;
        try (RawHttp client = RawHttp.postJson(streamLimits.port(), "/v1/chat/completions", null, STREAM, WAIT)) {
            assertThat(client.status()).isEqualTo(200);
            got = client.readEvents(WAIT);
        }

        assertThat(got).hasSize(3);
        assertThat(got.get(0).text()).contains("Hel");
        assertThat(got.get(1).text()).contains("lo");
        JsonNode error = OpenAiErrorAssert.assertEnvelope(got.get(2).text().substring("data: ".length()).strip());
        assertThat(error.path("code").asText()).isEqualTo("timeout");
        assertThat(error.path("message").asText()).contains("IDLE_TIMEOUT_S");
        assertThat(Duration.ofNanos(got.get(2).receivedNanos() - got.get(1).receivedNanos()))
                .isBetween(Duration.ofMillis(900), Duration.ofMillis(4000));
        assertThat(got).noneMatch(e -> e.text().contains("[DONE]"));
        stallingRuntime.takeRequest().awaitClosedByGateway(Duration.ofSeconds(1));
    }

    @Test
    void a_non_streaming_request_that_outlives_the_request_timeout_gets_a_504() throws Exception {
        slowRuntime.enqueue(Reply.hang());

        long start = System.nanoTime();
        HttpResponse<String> res = requestLimit.post("/v1/chat/completions", UNARY);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        JsonNode error = OpenAiErrorAssert.assertOpenAiError(res, 504);
        assertThat(error.path("message").asText()).contains("REQUEST_TIMEOUT_S");
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofMillis(4000));
        RecordedRequest upstream = slowRuntime.takeRequest();
        upstream.awaitClosedByGateway(Duration.ofSeconds(1));
    }

    @Test
    void a_slow_but_steady_stream_is_not_cut_by_the_idle_timeout() throws Exception {
        // 4 x 400 ms of generation, each gap well inside the 1 s idle limit, the whole well beyond it
        Reply.Sse script = Reply.sse().eventDelay(Duration.ofMillis(400));
        for (int i = 0; i < 3; i++) {
            script.data("{\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"t" + i + "\"}}]}");
        }
        script.data(Chunks.stop("x"));
        stallingRuntime.enqueue(script);

        List<RawHttp.Event> got;
        try (RawHttp client = RawHttp.postJson(streamLimits.port(), "/v1/chat/completions", null, STREAM, WAIT)) {
            got = client.readEvents(WAIT);
        }

        assertThat(got).hasSize(5);
        assertThat(got.get(4).text()).isEqualTo("data: [DONE]\n\n");
        assertThat(got).noneMatch(e -> e.text().contains("\"error\""));
    }
}
