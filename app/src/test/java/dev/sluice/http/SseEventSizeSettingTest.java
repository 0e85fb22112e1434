package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.OpenAiChunks;
import dev.sluice.testing.Reply;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The largest single upstream event is SSE_MAX_EVENT_BYTES, not a constant (issue 12). */
class SseEventSizeSettingTest {
    @Test
    void anEventOverSseMaxEventBytesEndsTheStreamWithAnError() {
        try (FakeRuntime ollama = FakeRuntime.ollama();
                Gateway gateway = Gateway.in(ollama, "SSE_MAX_EVENT_BYTES", "65536")) {
            ollama.enqueue(Reply.sse().data(OpenAiChunks.content("Hi")).pause(java.time.Duration.ofMillis(100))
                    .data(OpenAiChunks.toolCall(0, "call_1", "write_file",
                            "{\"content\":\"" + "x".repeat(100_000) + "\"}"))
                    .data(OpenAiChunks.finish("tool_calls")));

            HttpResponse<String> r = gateway.post("/v1/chat/completions", """
                    {"model":"m","stream":true,"messages":[{"role":"user","content":"write it"}]}""");

            assertThat(r.body()).contains("larger than 65536 bytes").doesNotContain("[DONE]");
        }
    }
}
