package dev.sluice.translate;

import dev.sluice.protocol.StreamUsage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.sse.SseEvent;
import dev.sluice.testing.Sse;
import dev.sluice.testing.TestResources;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** State the relay reads from the translator; the emitted events themselves are covered by the transcripts. */
class OpenAiPassthroughStreamTest {

    static List<byte[]> run(OpenAiPassthroughStream t, String fixture) {
        List<byte[]> out = new ArrayList<>();
        for (SseEvent e : Sse.decode(TestResources.bytes(fixture))) {
            t.onEvent(e, out);
        }
        return out;
    }

    static SseEvent event(String data) {
        return Sse.decode(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8)).getFirst();
    }

    @Test
    void reportsTheBackendsUsageEvenWhenTheClientDoesNotGetIt() {
        OpenAiPassthroughStream t = new OpenAiPassthroughStream(false, null);

        run(t, "fixtures/openai/chat-stream-tool-call-usage.sse");

        assertThat(t.usage()).isEqualTo(new StreamUsage(53, 15, false));
        assertThat(t.terminated()).isTrue();
        assertThat(t.failed()).isFalse();
    }

    @Test
    void estimatesUsageFromContentEventsWhenTheBackendSentNone() {
        OpenAiPassthroughStream t = new OpenAiPassthroughStream(false, null);

        run(t, "fixtures/openai/chat-stream.sse");

        long contentChunks = Sse.decode(TestResources.bytes("fixtures/openai/chat-stream.sse")).stream()
                .filter(e -> !e.isDone())
                .map(e -> Json.tryParse(e.data()).at("/choices/0/delta/content").asText(""))
                .filter(c -> !c.isEmpty()).count();
        assertThat(t.usage().estimated()).isTrue();
        assertThat(t.usage().completionTokens()).isEqualTo(contentChunks).isPositive();
    }

    @Test
    void sawContentOnlyOnceSomethingWasSaid() {
        OpenAiPassthroughStream t = new OpenAiPassthroughStream(false, null);
        List<byte[]> out = new ArrayList<>();

        t.onEvent(event("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}"), out);
        assertThat(t.sawContent()).isFalse();
        t.onEvent(event("{\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"hmm\"}}]}"), out);
        assertThat(t.sawContent()).isTrue();
    }

    @Test
    void aToolCallArgumentFragmentCountsAsContent() {
        OpenAiPassthroughStream t = new OpenAiPassthroughStream(false, null);

        t.onEvent(event("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                + "\"function\":{\"arguments\":\"{\\\"a\\\"\"}}]}}]}"), new ArrayList<>());

        assertThat(t.sawContent()).isTrue();
    }

    @Test
    void onErrorEmitsOneOpenAiErrorChunkAndNothingAfterIt() throws Exception {
        OpenAiPassthroughStream t = new OpenAiPassthroughStream(false, null);
        List<byte[]> out = new ArrayList<>();
        t.onEvent(event("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}"), out);

        t.onError(GatewayException.of(ErrorKind.TIMEOUT, "the backend sent nothing for 120 s"), out);
        t.onError(GatewayException.of(ErrorKind.API_ERROR, "second"), out);
        t.onEvent(event("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" late\"}}]}"), out);
        t.onEvent(event("[DONE]"), out);
        t.onEnd(out);

        assertThat(out).hasSize(2);
        JsonNode err = Json.parse(Sse.decode(out.get(1)).getFirst().data()).get("error");
        assertThat(err.get("message").asText()).isEqualTo("the backend sent nothing for 120 s");
        assertThat(err.get("type").asText()).isEqualTo("server_error");
        assertThat(err.get("code").asText()).isEqualTo("timeout");
        assertThat(t.failed()).isTrue();
    }

    @Test
    void onErrorAfterDoneChangesNothing() {
        OpenAiPassthroughStream t = new OpenAiPassthroughStream(false, null);
        List<byte[]> out = new ArrayList<>();
        t.onEvent(event("[DONE]"), out);

        t.onError(GatewayException.of(ErrorKind.API_ERROR, "too late"), out);

        assertThat(out).hasSize(1);
        assertThat(t.failed()).isFalse();
    }

    @Test
    void aChunkThatIsNotJsonWhereTheTranslatorMustLookEndsTheStream() {
        OpenAiPassthroughStream t = new OpenAiPassthroughStream(false, "my-llama");
        List<byte[]> out = new ArrayList<>();

        t.onEvent(event("{\"model\":\"tgi\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\""), out);

        assertThat(t.failed()).isTrue();
        assertThat(new String(out.getFirst(), StandardCharsets.UTF_8)).contains("\"error\"", "not JSON");
    }

    @Test
    void keepAliveIsAnSseComment() {
        byte[] ka = new OpenAiPassthroughStream(false, null).keepAlive();

        assertThat(Sse.decode(ka)).singleElement().satisfies(e -> assertThat(e.isComment()).isTrue());
    }
}
