package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.Reply;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A runtime that echoes its key into an in-band error (a failing URL with {@code ?key=}, a header dump) must not
 * hand it to the client: the relay scrubs the error event whichever dialect's translator wrote it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StreamErrorRedactionTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String KEY = "sk-backend-canary-5150";
    private static final String DELTA = "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}";
    private static final String ERROR = "{\"error\":{\"message\":\"GET http://10.0.0.7/tokenizer?key=" + KEY
            + " failed\",\"type\":\"server_error\",\"code\":500}}";

    private FakeRuntime vllm;
    private Gateway gateway;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        gateway = Gateway.in(vllm, "BACKEND_API_KEY", KEY);
    }

    @AfterAll
    void stop() {
        gateway.close();
        vllm.close();
    }

    @Test
    void an_openai_client_gets_the_error_event_without_the_backend_key() throws Exception {
        vllm.enqueue(Reply.sse().data(DELTA).data(ERROR));
        String all = events("/v1/chat/completions", Chunks.chatRequest(true));
        assertThat(all).contains("data: {\"error\":").contains("[redacted]").doesNotContain(KEY);
    }

    @Test
    void an_anthropic_client_gets_the_error_event_without_the_backend_key() throws Exception {
        vllm.enqueue(Reply.sse().data(DELTA).data(ERROR));
        String all = events("/v1/messages", "{\"model\":\"m\",\"max_tokens\":16,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(all).contains("event: error").contains("[redacted]").doesNotContain(KEY);
    }

    private String events(String path, String body) throws Exception {
        try (RawHttp client = RawHttp.postJson(gateway.port(), path, null, body, WAIT)) {
            assertThat(client.status()).isEqualTo(200);
            List<RawHttp.Event> got = client.readEvents(WAIT);
            StringBuilder sb = new StringBuilder();
            got.forEach(e -> sb.append(e.text()));
            return sb.toString();
        }
    }
}
