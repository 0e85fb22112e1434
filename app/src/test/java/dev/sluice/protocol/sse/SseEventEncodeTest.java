package dev.sluice.protocol.sse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Framing serialized JSON bytes gives the same frame as framing its text, and decodes back to it. */
class SseEventEncodeTest {

    @Test
    void framingBytesEqualsFramingText() {
        for (String event : new String[] {null, "message_start", "response.output_text.delta", "évènement"}) {
            for (String data : new String[] {"{}", "{\"text\":\"héllo 🌊 \\n\"}", "{\"type\":\"ping\"}", ""}) {
                byte[] fromBytes = SseEvent.encode(event, data.getBytes(StandardCharsets.UTF_8));
                assertThat(fromBytes).as("%s / %s", event, data).isEqualTo(SseEvent.encode(event, data));
                if (!data.isEmpty()) {
                    List<SseEvent> back = new ArrayList<>();
                    new SseDecoder().feed(fromBytes, back);
                    assertThat(back).singleElement().satisfies(e -> {
                        assertThat(e.event()).isEqualTo(event);
                        assertThat(e.data()).isEqualTo(data);
                    });
                }
            }
        }
    }
}
