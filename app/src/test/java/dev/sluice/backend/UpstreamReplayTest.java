package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 13, item 10: what the gateway buffers from a runtime and what it sends twice. A non-streamed answer is
 * bounded by MAX_UPSTREAM_BODY_BYTES (here 64 KiB); a POST is sent again on a fresh connection only when the
 * runtime cannot have received it, never after the runtime read it and hung up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamReplayTest {
    private FakeRuntime fake;
    private Gateway gateway;

    @BeforeAll
    void start() {
        fake = FakeRuntime.vllm();
        gateway = Gateway.in(fake, "MAX_UPSTREAM_BODY_BYTES", 64 * 1024);
    }

    @AfterAll
    void stop() {
        gateway.close();
        fake.close();
    }

    @BeforeEach
    void reset() {
        fake.reset();
    }

    private static String chat(String text) {
        return "{\"model\":\"served\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    private static String completion(String text) {
        return "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"served\",\"choices\":"
                + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
                + "\"total_tokens\":4}}";
    }

    @Test
    void a_post_the_runtime_read_before_hanging_up_is_not_sent_again() {
        fake.enqueue(Reply.json(completion("first")));
        fake.enqueue(Reply.hangUp());
        fake.enqueue(Reply.json(completion("a second generation, billed twice")));

        HttpResponse<String> first = gateway.post("/v1/chat/completions", chat("warm the pool"));
        HttpResponse<String> second = gateway.post("/v1/chat/completions", chat("generate once"));

        assertThat(first.statusCode()).isEqualTo(200);
        List<RecordedRequest> sent = fake.apiRequests();
        // the second request went on the pooled connection of the first, and reached the runtime once
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).connection()).isEqualTo(sent.get(0).connection());
        assertThat(second.statusCode()).isEqualTo(502);
        assertThat(Gateway.json(second).path("error").path("message").asText())
                .contains("closed the connection without answering");
        assertThat(second.body()).doesNotContain("billed twice").doesNotContain("Exception");
    }

    @Test
    void a_pooled_connection_the_runtime_closed_is_not_used() throws Exception {
        fake.enqueue(Reply.json(completion("first")).thenClose());
        fake.enqueue(Reply.json(completion("second")));

        HttpResponse<String> first = gateway.post("/v1/chat/completions", chat("then idle"));
        Thread.sleep(300);
        HttpResponse<String> second = gateway.post("/v1/chat/completions", chat("after the close"));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).contains("second");
        List<RecordedRequest> sent = fake.apiRequests();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).connection()).isNotEqualTo(sent.get(0).connection());
    }

    @Test
    void an_answer_over_max_upstream_body_bytes_is_a_502_in_the_clients_dialect() {
        fake.enqueue(Reply.json(completion("z".repeat(100_000))));
        fake.enqueue(Reply.json(completion("z".repeat(50_000))));
        fake.enqueue(Reply.json(completion("z".repeat(100_000))));

        HttpResponse<String> big = gateway.post("/v1/chat/completions", chat("too much"));
        HttpResponse<String> fits = gateway.post("/v1/chat/completions", chat("enough"));
        HttpResponse<String> anthropic = gateway.post("/v1/messages",
                "{\"model\":\"served\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "anthropic-version", "2023-06-01");

        assertThat(big.statusCode()).isEqualTo(502);
        assertThat(Gateway.json(big).path("error").path("message").asText()).contains("MAX_UPSTREAM_BODY_BYTES");
        assertThat(fits.statusCode()).isEqualTo(200);
        assertThat(anthropic.statusCode()).isEqualTo(502);
        assertThat(Gateway.json(anthropic).path("type").asText()).isEqualTo("error");
        assertThat(Gateway.json(anthropic).path("error").path("message").asText())
                .contains("MAX_UPSTREAM_BODY_BYTES");
    }
}
