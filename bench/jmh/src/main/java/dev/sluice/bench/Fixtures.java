package dev.sluice.bench;

import dev.sluice.protocol.sse.SseDecoder;
import dev.sluice.protocol.sse.SseEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The recorded runtime streams the app's transcript tests use, loaded from the classpath. */
final class Fixtures {
    private Fixtures() {}

    static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + name + " on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<SseEvent> events(String name) {
        List<SseEvent> events = new ArrayList<>();
        SseDecoder decoder = new SseDecoder();
        decoder.feed(bytes(name), events);
        decoder.finish(events);
        return events;
    }
}
