package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.sse.SseEvent;
import dev.sluice.testing.Fixtures;
import dev.sluice.testing.Sse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Anthropic client, real Anthropic deployment: events pass as they came, model restored, cuts become errors. */
class AnthropicPassthroughStreamTest {

    static List<byte[]> run(AnthropicPassthroughStream t, List<SseEvent> events, boolean end) {
        List<byte[]> out = new ArrayList<>();
        for (SseEvent e : events) {
            t.onEvent(e, out);
        }
        if (end) {
            t.onEnd(out);
        }
        return out;
    }

    @Test
    void everyEventPassesByteForByteExceptMessageStartsModel() {
        List<SseEvent> upstream = Sse.decode(Fixtures.bytes("anthropic/messages-stream-tool-use.sse"));
        AnthropicPassthroughStream t = new AnthropicPassthroughStream("my-claude");
        List<byte[]> out = run(t, upstream, true);

        assertThat(out).hasSize(upstream.size());
        List<SseEvent> got = Sse.decode(Sse.concat(out));
        assertThat(got.getFirst().event()).isEqualTo("message_start");
        JsonNode start = Json.tryParse(got.getFirst().data());
        JsonNode original = Json.tryParse(upstream.getFirst().data());
        assertThat(start.at("/message/model").asText()).isEqualTo("my-claude");
        ((ObjectNode) original.path("message")).put("model", "my-claude");
        assertThat(start).isEqualTo(original);
        for (int i = 1; i < upstream.size(); i++) {
            assertThat(out.get(i)).isEqualTo(upstream.get(i).raw());
        }
        assertThat(t.terminated()).isTrue();
        assertThat(t.failed()).isFalse();
        assertThat(t.usage().estimated()).isFalse();
        assertThat(t.sawContent()).isTrue();
    }

    @Test
    void aStreamCutBeforeMessageStopEndsWithAnAnthropicErrorEvent() {
        List<SseEvent> upstream = Sse.decode(Fixtures.bytes("anthropic/messages-stream-text.sse"));
        AnthropicPassthroughStream t = new AnthropicPassthroughStream("my-claude");
        List<byte[]> out = run(t, upstream.subList(0, 5), true);

        SseEvent last = Sse.decode(out.getLast()).getFirst();
        assertThat(last.event()).isEqualTo("error");
        assertThat(Json.tryParse(last.data()).at("/error/type").asText()).isEqualTo("api_error");
        assertThat(t.failed()).isTrue();
    }

    @Test
    void anUpstreamErrorEventPassesAndEndsTheStream() {
        byte[] error = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"
                .getBytes(StandardCharsets.UTF_8);
        AnthropicPassthroughStream t = new AnthropicPassthroughStream("my-claude");
        List<byte[]> out = run(t, Sse.decode(error), true);
        assertThat(out).hasSize(1);
        assertThat(out.getFirst()).isEqualTo(error);
        assertThat(t.failed()).isTrue();
    }

    @Test
    void aFailureAfterTheStartIsAnErrorEventOfTheMatchingType() {
        AnthropicPassthroughStream t = new AnthropicPassthroughStream("my-claude");
        List<byte[]> out = new ArrayList<>();
        t.onError(GatewayException.of(ErrorKind.TIMEOUT, "idle"), out);
        SseEvent e = Sse.decode(out.getFirst()).getFirst();
        assertThat(e.event()).isEqualTo("error");
        assertThat(Json.tryParse(e.data()).at("/error/type").asText()).isEqualTo("timeout_error");
    }
}
