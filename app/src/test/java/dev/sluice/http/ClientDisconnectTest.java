package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A client that hangs up cancels its upstream request at once: the gateway closes the runtime connection,
 * which is how vLLM, SGLang and llama.cpp learn to stop generating (protocols.md §5.5 #44).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ClientDisconnectTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration PROMPTLY = Duration.ofMillis(1500);
    private static final String STREAM = Chunks.chatRequest(true);
    private static final String UNARY = Chunks.chatRequest(false);

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
    void a_client_leaving_mid_stream_closes_the_upstream_connection() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        vllm.enqueue(Reply.sse()
                .data(Chunks.delta("x", "Once upon"))
                .await(never)
                .data(Chunks.delta("x", " a time")));

        RawHttp client = RawHttp.postJson(gateway.port(), "/v1/chat/completions", null, STREAM, WAIT);
        assertThat(client.nextEvent(WAIT).text()).contains("Once upon");
        RecordedRequest upstream = vllm.takeRequest();
        assertThat(upstream.isClosedByGateway()).isFalse();

        int closedBefore = vllm.connectionsClosed();
        client.close();

        Duration took = upstream.awaitClosedByGateway(PROMPTLY);
        assertThat(vllm.connectionsClosed()).isGreaterThan(closedBefore);
        assertThat(took).isLessThan(PROMPTLY);
        assertThat(upstream.eventsSent()).as("the runtime was stopped before its second event").isEqualTo(1);
    }

    @Test
    void a_client_leaving_while_a_non_streaming_request_waits_closes_the_upstream_connection() throws Exception {
        vllm.enqueue(Reply.hang());

        RawHttp client = RawHttp.send(gateway.port(), "POST", "/v1/chat/completions",
                java.util.Map.of("Content-Type", "application/json"), UNARY.getBytes());
        RecordedRequest upstream = vllm.takeRequest();
        Thread.sleep(100); // the runtime is "generating"
        assertThat(upstream.isClosedByGateway()).isFalse();

        client.close();

        upstream.awaitClosedByGateway(PROMPTLY);
    }

    @Test
    void a_client_leaving_a_stream_before_the_runtime_answered_closes_the_upstream_connection() throws Exception {
        vllm.enqueue(Reply.hang());

        RawHttp client = RawHttp.send(gateway.port(), "POST", "/v1/chat/completions",
                java.util.Map.of("Content-Type", "application/json"), STREAM.getBytes());
        RecordedRequest upstream = vllm.takeRequest();
        Thread.sleep(100); // long prefill: no response head yet
        assertThat(upstream.isClosedByGateway()).isFalse();

        client.close();

        upstream.awaitClosedByGateway(PROMPTLY);
    }

    @Test
    void a_finished_stream_leaves_the_upstream_connection_open_for_reuse() throws Exception {
        vllm.enqueue(Reply.sse().data(Chunks.stop("x")));
        vllm.enqueue(Reply.sse().data(Chunks.stop("y")));

        int openedBefore = vllm.connectionsOpened();
        for (int i = 0; i < 2; i++) {
            // one client connection, so both land on the same gateway event loop and its connection pool
            var res = gateway.post("/v1/chat/completions", STREAM);
            assertThat(res.body()).endsWith("data: [DONE]\n\n");
        }

        RecordedRequest first = vllm.takeRequest();
        RecordedRequest second = vllm.takeRequest();
        assertThat(first.isClosedByGateway()).isFalse();
        assertThat(second.connection()).as("keep-alive connection reused").isEqualTo(first.connection());
        assertThat(vllm.connectionsOpened() - openedBefore).isLessThanOrEqualTo(1);
    }
}
