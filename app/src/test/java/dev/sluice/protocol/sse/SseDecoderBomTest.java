package dev.sluice.protocol.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.ByteSplits;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A UTF-8 byte order mark before an upstream stream's first event (issue 12, defect 7). */
class SseDecoderBomTest {
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private static byte[] withBom(String text) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(BOM);
        b.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        return b.toByteArray();
    }

    private static List<SseEvent> decode(List<byte[]> pieces) {
        SseDecoder d = new SseDecoder();
        List<SseEvent> out = new ArrayList<>();
        pieces.forEach(p -> d.feed(p, out));
        d.finish(out);
        return out;
    }

    @Test
    void defect7_aLeadingUtf8BomDoesNotLoseTheFirstEvent() {
        byte[] stream = withBom("event: message_start\ndata: {\"a\":1}\n\ndata: {\"b\":2}\n\n");

        List<SseEvent> events = decode(List.of(stream));

        assertThat(events).extracting(SseEvent::data).containsExactly("{\"a\":1}", "{\"b\":2}");
        assertThat(events.getFirst().event()).isEqualTo("message_start");
    }

    @Test
    void defect7_aBomSplitAcrossReadsIsStillSkipped() {
        byte[] stream = withBom("data: {\"a\":1}\n\n");

        List<SseEvent> events = decode(ByteSplits.everyByte(stream));

        assertThat(events).extracting(SseEvent::data).containsExactly("{\"a\":1}");
    }

    @Test
    void onlyALeadingBomIsSkipped() {
        byte[] stream = ("data: x\n\n" + "\uFEFFdata: y\n\n").getBytes(StandardCharsets.UTF_8);

        List<SseEvent> events = decode(List.of(stream));

        // a BOM later on is the first character of a field name nobody knows: the event carries no data
        assertThat(events).extracting(SseEvent::data).containsExactly("x", null);
    }

    @Test
    void aStreamShorterThanABomIsNotHeldForever() {
        SseDecoder d = new SseDecoder();
        List<SseEvent> out = new ArrayList<>();
        d.feed(new byte[] {(byte) 0xEF}, out);
        assertThat(d.hasPartialEvent()).isTrue();
        d.feed("\n\ndata: z\n\n".getBytes(StandardCharsets.UTF_8), out);
        assertThat(out).extracting(SseEvent::data).containsExactly(null, "z");
    }
}
