package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.FakeRuntimeProcess;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G3 for issue 14: a stream cut on the runtime's side ends with an explicit error in the client's dialect, never a
 * clean-looking end, and is counted once in {@code sluice_stream_aborted_total{reason}}. Cuts: the runtime's
 * connection reset (RST, SO_LINGER 0), garbage bytes that break the chunked framing mid-stream, and the runtime
 * process killed with {@code kill -9}. Dialects: OpenAI chat, Anthropic messages, Responses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CutStreamTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    enum Dialect {
        OPENAI("/v1/chat/completions", Chunks.chatRequest(true)),
        ANTHROPIC("/v1/messages",
                "{\"model\":\"m\",\"max_tokens\":100,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        RESPONSES("/v1/responses", "{\"model\":\"m\",\"input\":\"hi\",\"stream\":true}");

        final String path;
        final String body;

        Dialect(String path, String body) {
            this.path = path;
            this.body = body;
        }

        /** The explicit error terminal of this dialect; the clean terminals must be absent. */
        void assertErrorEnd(List<RawHttp.Event> events) {
            String all = String.join("", events.stream().map(RawHttp.Event::text).toList());
            String last = events.getLast().text();
            switch (this) {
                case OPENAI -> {
                    assertThat(last).startsWith("data: {\"error\"");
                    assertThat(all).doesNotContain("[DONE]");
                }
                case ANTHROPIC -> {
                    assertThat(last).startsWith("event: error");
                    assertThat(all).doesNotContain("message_stop");
                }
                case RESPONSES -> {
                    assertThat(last).containsAnyOf("event: response.failed", "event: error");
                    assertThat(all).doesNotContain("response.completed");
                }
            }
        }
    }

    private FakeRuntime vllm;
    private Gateway gateway;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        gateway = Gateway.in(vllm);
    }

    @org.junit.jupiter.api.BeforeEach
    void reset() {
        vllm.reset();
    }

    @AfterAll
    void stop() {
        gateway.close();
        vllm.close();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void a_reset_runtime_connection_ends_the_stream_with_an_error_and_counts_it(Dialect d) throws Exception {
        vllm.enqueue(Reply.sse().data(Chunks.delta("r", "one ")).data(Chunks.delta("r", "two ")).resetAfter(2));
        assertCutEndsInError(gateway, d);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void garbage_bytes_mid_stream_end_the_stream_with_an_error_and_count_it(Dialect d) throws Exception {
        vllm.enqueue(Reply.sse().data(Chunks.delta("g", "one "))
                .garbage("\u0000\u00ff\u0001 this is not a chunk size\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1))
                .data(Chunks.delta("g", "two ")));
        assertCutEndsInError(gateway, d);
        // the broken connection is closed by the gateway, never handed to the next request
        vllm.takeRequest().awaitClosedByGateway(WAIT);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void a_runtime_process_killed_mid_stream_ends_the_stream_with_an_error_and_counts_it(Dialect d) throws Exception {
        try (FakeRuntimeProcess runtime = FakeRuntimeProcess.start(1, 1000, 50);
                Gateway g = Gateway.builder().env("BACKEND_KIND", "vllm").env("BACKEND_BASE_URL", runtime.baseUrl())
                        .start()) {
            double before = aborted(g);
            try (RawHttp c = RawHttp.postJson(g.port(), d.path, null, d.body, WAIT)) {
                assertThat(c.status()).isEqualTo(200);
                for (int i = 0; i < 3; i++) {
                    assertThat(c.nextEvent(WAIT)).isNotNull();
                }
                runtime.kill9();
                List<RawHttp.Event> events = c.readEvents(WAIT);
                d.assertErrorEnd(events);
            }
            assertCountedOnce(g, before);
        }
    }

    private void assertCutEndsInError(Gateway g, Dialect d) throws Exception {
        double before = aborted(g);
        try (RawHttp c = RawHttp.postJson(g.port(), d.path, null, d.body, WAIT)) {
            assertThat(c.status()).isEqualTo(200);
            List<RawHttp.Event> events = c.readEvents(WAIT);
            assertThat(events).isNotEmpty();
            d.assertErrorEnd(events);
            assertThat(c.leftover()).as("no half event at the end").isEmpty();
        }
        assertCountedOnce(g, before);
    }

    private static void assertCountedOnce(Gateway g, double before) throws Exception {
        // the record is reported when the response ends, a moment after the client saw its last byte
        long deadline = System.nanoTime() + WAIT.toNanos();
        double after = aborted(g);
        while (after < before + 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            after = aborted(g);
        }
        Thread.sleep(100);
        assertThat(aborted(g)).as("sluice_stream_aborted_total, all reasons").isEqualTo(before + 1);
    }

    /** The sum of {@code sluice_stream_aborted_total} over its reasons. */
    static double aborted(Gateway g) throws IOException {
        try (RawHttp r = RawHttp.send(g.port(), "GET", "/metrics", Map.of(), null)) {
            r.readHead(WAIT);
            double sum = 0;
            for (String line : r.bodyText(WAIT).split("\n")) {
                if (line.startsWith("sluice_stream_aborted_total{")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        }
    }
}
