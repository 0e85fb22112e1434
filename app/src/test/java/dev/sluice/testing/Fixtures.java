package dev.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Recorded runtime bodies under {@code src/test/resources/fixtures/<dialect>/}, copied from
 * {@code shared/fixtures} (see the README there for provenance).
 */
public final class Fixtures {
    private Fixtures() {}

    /** The exact bytes of a fixture, e.g. {@code bytes("vllm/chat.json")}. */
    public static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name + " under src/test/resources/fixtures");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    /**
     * Splits a recorded {@code .sse} body into its events, each with its terminating blank line, byte for
     * byte as recorded (so the events concatenated give back the file).
     */
    public static List<byte[]> events(String name) {
        return splitEvents(bytes(name));
    }

    /** Splits SSE bytes at each blank line ({@code \n\n}); a trailing partial event is kept as is. */
    public static List<byte[]> splitEvents(byte[] sse) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i + 1 < sse.length; i++) {
            if (sse[i] == '\n' && sse[i + 1] == '\n') {
                out.add(java.util.Arrays.copyOfRange(sse, start, i + 2));
                start = i + 2;
                i++;
            }
        }
        if (start < sse.length) {
            out.add(java.util.Arrays.copyOfRange(sse, start, sse.length));
        }
        return out;
    }
}
