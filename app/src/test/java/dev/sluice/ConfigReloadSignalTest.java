package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.ChildGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real process, as {@code ./sluice} starts it ({@code Application.main}): its one startup line, JSON logs when
 * not on a terminal, and a reload on SIGHUP (the file watch is off here, so only the signal can apply the file).
 */
class ConfigReloadSignalTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    static int chat(ChildGateway g, String key, String model) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(g.url() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** ChildGateway reads the log byte for byte; the startup line's separators are UTF-8. */
    static String utf8(String latin1) {
        return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    @Test
    void sighupAppliesTheEditedFileAndTheProcessSaysWhatItRuns() throws Exception {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, ConfigReloadTest.valid(1, 1000));
        try (ChildGateway g = ChildGateway.start(List.of(), Map.of("SLUICE_CONFIG", file.toString(),
                "CONFIG_WATCH_MS", "0"))) {
            assertThat(chat(g, "key-1-secret-0123456789", "new-1")).isEqualTo(200);
            assertThat(utf8(g.log())).contains("\"message\":\"sluice " + Version.VERSION + " listening on " + g.url()
                    + " · backend 5 deployments in 4 pools (sim, vllm) · auth on · config " + file + "\"");

            Path tmp = Files.writeString(dir.resolve("next.yaml"), ConfigReloadTest.valid(2, 1000));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            assertThat(chat(g, "key-2-secret-0123456789", "new-2")).as("before the signal").isEqualTo(401);
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(g.pid())).start().waitFor()).isZero();

            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (chat(g, "key-2-secret-0123456789", "new-2") != 200 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(chat(g, "key-2-secret-0123456789", "new-2")).as("after SIGHUP").isEqualTo(200);
            assertThat(chat(g, "key-1-secret-0123456789", "chat")).as("the key the new file removed").isEqualTo(401);
            assertThat(g.alive()).isTrue();
            assertThat(g.log()).contains("config reloaded from " + file);
        }
    }
}
