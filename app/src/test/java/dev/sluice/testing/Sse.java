package dev.sluice.testing;

import dev.sluice.protocol.sse.SseDecoder;
import dev.sluice.protocol.sse.SseEvent;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Decodes whole streams with the production {@link SseDecoder}, for tests. */
public final class Sse {
    private Sse() {}

    public static List<SseEvent> decode(List<byte[]> chunks) {
        SseDecoder decoder = new SseDecoder();
        List<SseEvent> out = new ArrayList<>();
        for (byte[] c : chunks) {
            decoder.feed(c, out);
        }
        return out;
    }

    public static List<SseEvent> decode(byte[] stream) {
        return decode(List.of(stream));
    }

    public static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    public static byte[] raw(List<SseEvent> events) {
        return concat(events.stream().map(SseEvent::raw).toList());
    }
}
