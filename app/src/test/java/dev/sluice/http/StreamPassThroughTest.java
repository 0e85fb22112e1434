package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Fixtures;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An OpenAI client in front of an OpenAI-compatible runtime gets the runtime's events byte for byte, each
 * one as soon as the runtime sent it, never batched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StreamPassThroughTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String STREAM_WITH_USAGE = "{\"model\":\"m\",\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private FakeRuntime vllm;
    private Gateway gateway;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        gateway = Gateway.in(vllm);
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

    @Test
    void each_event_reaches_the_client_with_exactly_the_bytes_the_runtime_sent() throws Exception {
        Reply.Sse script = Reply.sse()
                .raw(": a comment from the runtime\n\n")
                .raw("data: {\"id\":\"x\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}],"
                        + "\"usage\":null}\n\n")
                .raw("data:{\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"caf\\u00e9 \u2603 \"}}],"
                        + "\"x_runtime_extra\":{\"n\":1.50}}\n\n")
                .raw("data: {\"id\":\"x\",  \"choices\" : [{\"index\":0,\"delta\":{\"content\":\"spaced\"}}]}\n\n")
                .raw("data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n")
                .raw("data: {\"id\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,"
                        + "\"total_tokens\":5}}\n\n");
        vllm.enqueue(script);

        try (RawHttp client = RawHttp.postJson(gateway.port(), "/v1/chat/completions", null, STREAM_WITH_USAGE, WAIT)) {
            assertThat(client.status()).isEqualTo(200);
            assertThat(client.header("content-type")).startsWith("text/event-stream");
            List<RawHttp.Event> got = client.readEvents(WAIT);

            List<byte[]> sent = script.events();
            assertThat(got).hasSameSizeAs(sent);
            for (int i = 0; i < sent.size(); i++) {
                assertThat(got.get(i).bytes()).as("event %d", i).isEqualTo(sent.get(i));
            }
            assertThat(client.leftover()).isEmpty();
        }
    }

    @Test
    void a_recorded_vllm_tool_call_stream_is_replayed_to_the_client_byte_for_byte() throws Exception {
        vllm.enqueue(Reply.sseFixture("vllm/chat-stream-tool-call.sse"));

        try (RawHttp client = RawHttp.postJson(gateway.port(), "/v1/chat/completions", null,
                "{\"model\":\"Qwen/Qwen3-0.6B\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"time?\"}]}",
                WAIT)) {
            List<RawHttp.Event> got = client.readEvents(WAIT);

            List<byte[]> recorded = Fixtures.events("vllm/chat-stream-tool-call.sse");
            assertThat(got).hasSize(recorded.size() + 1);
            for (int i = 0; i < recorded.size(); i++) {
                assertThat(got.get(i).text()).as("event %d", i)
                        .isEqualTo(new String(recorded.get(i), StandardCharsets.UTF_8));
            }
            assertThat(got.get(recorded.size()).text()).isEqualTo("data: [DONE]\n\n");
            assertThat(client.bodySoFar()).isEqualTo((Fixtures.text("vllm/chat-stream-tool-call.sse")
                    + "data: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void events_arrive_one_by_one_as_the_runtime_sends_them() throws Exception {
        Duration gap = Duration.ofMillis(300);
        String chunk = "data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"}}]}\n\n";
        vllm.enqueue(Reply.sse()
                .raw(chunk.formatted("one")).pause(gap)
                .raw(chunk.formatted("two")).pause(gap)
                .raw(chunk.formatted("three")).pause(gap)
                .raw("data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"));

        try (RawHttp client = RawHttp.postJson(gateway.port(), "/v1/chat/completions", null, STREAM_WITH_USAGE, WAIT)) {
            List<RawHttp.Event> got = client.readEvents(WAIT);
            RecordedRequest req = vllm.takeRequest();

            assertThat(got).hasSize(5);
            assertThat(req.eventsSent()).isEqualTo(5);
            for (int i = 0; i < 3; i++) { // the three events the runtime paused after
                assertThat(got.get(i).receivedNanos()).as("event %d arrived after it was sent", i)
                        .isGreaterThanOrEqualTo(req.eventSentAt(i));
                assertThat(got.get(i).receivedNanos()).as("event %d arrived before event %d was sent", i, i + 1)
                        .isLessThan(req.eventSentAt(i + 1));
            }
            long apart = got.get(1).receivedNanos() - got.get(0).receivedNanos();
            assertThat(Duration.ofNanos(apart)).isGreaterThanOrEqualTo(gap.minusMillis(50));
        }
    }

    @Test
    void the_client_sees_the_first_event_while_the_runtime_is_still_holding_the_second() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        vllm.enqueue(Reply.sse()
                .data(Chunks.delta("x", "first"))
                .await(release)
                .data(Chunks.stop("x")));

        try (RawHttp client = RawHttp.postJson(gateway.port(), "/v1/chat/completions", null, STREAM_WITH_USAGE, WAIT)) {
            RawHttp.Event first = client.nextEvent(WAIT);
            assertThat(first.text()).contains("\"first\"");
            assertThat(vllm.takeRequest().eventsSent()).as("the runtime has sent only the first event").isEqualTo(1);

            release.countDown();
            assertThat(client.nextEvent(WAIT).text()).contains("\"finish_reason\":\"stop\"");
            assertThat(client.nextEvent(WAIT).text()).isEqualTo("data: [DONE]\n\n");
            assertThat(client.nextEvent(WAIT)).isNull();
        }
    }

    @Test
    void an_event_split_across_network_writes_arrives_whole_and_batched_events_arrive_exact() throws Exception {
        String first = "data: " + Chunks.delta("x", "split \u00e9vent") + "\n\n";
        byte[] firstBytes = first.getBytes(StandardCharsets.UTF_8);
        int cut = first.indexOf("\u00e9") + 1; // inside the two UTF-8 bytes of the accented letter
        String two = "data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"
                + "data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
        vllm.enqueue(Reply.sse()
                .raw(java.util.Arrays.copyOfRange(firstBytes, 0, cut))
                .pause(Duration.ofMillis(150))
                .raw(java.util.Arrays.copyOfRange(firstBytes, cut, firstBytes.length))
                .raw(two));

        try (RawHttp client = RawHttp.postJson(gateway.port(), "/v1/chat/completions", null, STREAM_WITH_USAGE, WAIT)) {
            List<RawHttp.Event> got = client.readEvents(WAIT);

            assertThat(got).extracting(RawHttp.Event::text).containsExactly(first,
                    two.substring(0, two.indexOf("\n\n") + 2), two.substring(two.indexOf("\n\n") + 2),
                    "data: [DONE]\n\n");
        }
    }
}
