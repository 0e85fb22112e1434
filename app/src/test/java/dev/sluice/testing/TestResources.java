package dev.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads test resources from the class path (fixtures, transcripts). */
public final class TestResources {
    private TestResources() {}

    public static byte[] bytes(String path) {
        String p = path.startsWith("/") ? path : "/" + path;
        try (InputStream in = TestResources.class.getResourceAsStream(p)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + p);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String path) {
        return new String(bytes(path), StandardCharsets.UTF_8);
    }
}
