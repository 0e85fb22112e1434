package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.Gateway;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Slow-loris (reliability.md G10, issue 13 item 4): partial request heads and trickled bodies hold connections only
 * until HEADER_READ_TIMEOUT_S / BODY_READ_TIMEOUT_S, while a real client keeps being served.
 *
 * <p>The normal build runs a scaled-down attack (200 partial heads, 50 partial bodies, 2 s and 3 s timeouts, 4 s of
 * real traffic). The full one, with the default timeouts, is
 * {@code ./mvnw -pl app surefire:test -Dtest=SlowClientsTest#slow_loris_* -Dsluice.soak=true}: 2,000 partial heads,
 * 500 partial bodies and 30 s of real traffic at 20 requests per second. {@code -Dsluice.timed=true} adds G10's bar
 * (each closed within its timeout + 1 s), which holds only on a machine that is not loaded by other work.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SlowClientsTest {
    private static final boolean SOAK = Boolean.getBoolean("sluice.soak");
    private static final boolean TIMED = Boolean.getBoolean("sluice.timed");
    private static final String CHAT = "{\"model\":\"sim\",\"max_tokens\":4,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    /** One attacking connection: when its bytes were sent, when the gateway closed it, and what it answered. */
    private record Slow(long sentNanos, long closedNanos, String answer) {
        double closedAfterSeconds() {
            return (closedNanos - sentNanos) / 1e9;
        }
    }

    @Test
    void slow_loris_heads_and_bodies_are_closed_at_their_timeouts_while_a_real_client_is_served() throws Exception {
        int heads = SOAK ? 2000 : 200;
        int bodies = SOAK ? 500 : 50;
        Duration traffic = Duration.ofSeconds(SOAK ? 30 : 4);
        double headTimeout = SOAK ? 10 : 2;
        double bodyTimeout = SOAK ? 60 : 3;
        Gateway.Builder b = Gateway.builder().env("BACKEND_KIND", "sim").env("SIM_TTFT_MS", 1)
                .env("SIM_TOKENS_PER_S", 0);
        if (!SOAK) { // the soak run uses the defaults
            b.env("HEADER_READ_TIMEOUT_S", headTimeout).env("BODY_READ_TIMEOUT_S", bodyTimeout);
        }
        List<Socket> sockets = new ArrayList<>();
        try (Gateway gw = b.start(); ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
                AutoCloseable hangUp = () -> closeAll(sockets)) {
            for (int i = 0; i < 20; i++) { // warm up: a cold JVM's first requests are not what is measured
                assertThat(gw.post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
            }
            List<CompletableFuture<Slow>> headConns = new ArrayList<>();
            List<CompletableFuture<Slow>> bodyConns = new ArrayList<>();
            String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
            String bodyHead = head + "Content-Length: 1000\r\n\r\n{\"model\":\"sim\",\"messages\":[";
            for (int i = 0; i < heads; i++) {
                headConns.add(attack(gw.port(), head, readers, sockets));
            }
            for (int i = 0; i < bodies; i++) {
                bodyConns.add(attack(gw.port(), bodyHead, readers, sockets));
            }

            List<Long> latencies = realClient(gw, traffic);
            int expected = (int) (traffic.toSeconds() * 20);
            assertThat(latencies).as("every request of the real client succeeded").hasSize(expected);

            double wait = Math.max(headTimeout, bodyTimeout) + 5;
            CompletableFuture.allOf(headConns.toArray(CompletableFuture[]::new))
                    .get((long) (wait * 1000), TimeUnit.MILLISECONDS);
            CompletableFuture.allOf(bodyConns.toArray(CompletableFuture[]::new))
                    .get((long) (wait * 1000), TimeUnit.MILLISECONDS);
            double[] headTimes = times(headConns);
            double[] bodyTimes = times(bodyConns);
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("slow loris: %d partial heads closed after %.2f-%.2f s (timeout %.0f s), %d partial"
                    + " bodies after %.2f-%.2f s (timeout %.0f s); real client %d/%d ok, p50 %.1f ms, p99 %.1f ms,"
                    + " max %.1f ms%n", heads, headTimes[0], headTimes[headTimes.length - 1], headTimeout, bodies,
                    bodyTimes[0], bodyTimes[bodyTimes.length - 1], bodyTimeout, latencies.size(), expected,
                    sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6,
                    sorted[sorted.length - 1] / 1e6);

            // never before the timeout (the clock starts when the bytes arrive, after they were sent)
            assertThat(headTimes[0]).isGreaterThan(headTimeout - 0.2);
            assertThat(bodyTimes[0]).isGreaterThan(bodyTimeout - 0.2);
            for (CompletableFuture<Slow> c : bodyConns) {
                assertThat(c.join().answer()).startsWith("HTTP/1.1 408 ").contains("BODY_READ_TIMEOUT_S");
            }
            for (CompletableFuture<Slow> c : headConns) {
                assertThat(c.join().answer()).startsWith("HTTP/1.1 408 ").contains("HEADER_READ_TIMEOUT_S");
            }
            if (TIMED) {
                assertThat(headTimes[headTimes.length - 1]).isLessThan(headTimeout + 1);
                assertThat(bodyTimes[bodyTimes.length - 1]).isLessThan(bodyTimeout + 1);
            }
            MeterRegistry registry = gw.bean(MeterRegistry.class);
            assertThat(closed(registry, "header_read_timeout")).isEqualTo(heads);
            assertThat(closed(registry, "body_read_timeout")).isEqualTo(bodies);
        }
    }

    /** Opens a connection, sends {@code bytes} and waits (on a virtual thread) until the gateway closes it. */
    private static CompletableFuture<Slow> attack(int port, String bytes, ExecutorService readers, List<Socket> sockets)
            throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        sockets.add(s);
        OutputStream out = s.getOutputStream();
        out.write(bytes.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        long sent = System.nanoTime();
        return CompletableFuture.supplyAsync(() -> {
            byte[] got = new byte[0];
            try (s; InputStream in = s.getInputStream()) {
                byte[] buf = new byte[4096];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    got = Arrays.copyOf(got, got.length + n);
                    System.arraycopy(buf, 0, got, got.length - n, n);
                }
            } catch (IOException e) {
                // a reset is a close too
            }
            return new Slow(sent, System.nanoTime(), new String(got, StandardCharsets.UTF_8));
        }, readers);
    }

    /** 20 chat completions a second for {@code d}, each on the client's pooled connections; latencies of the 200s. */
    private static List<Long> realClient(Gateway gw, Duration d) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(gw.url() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build();
        ConcurrentLinkedQueue<Long> ok = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        long start = System.nanoTime();
        int n = (int) (d.toSeconds() * 20);
        for (int i = 0; i < n; i++) {
            long at = start + i * 50_000_000L;
            long sleep = at - System.nanoTime();
            if (sleep > 0) {
                Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            }
            long t0 = System.nanoTime();
            all.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
                if (r.statusCode() == 200 && r.body().contains("\"choices\"")) {
                    ok.add(System.nanoTime() - t0);
                }
            }).exceptionally(e -> null));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        http.close();
        return List.copyOf(ok);
    }

    /** Closes what the gateway left open (before the fix: everything), so the readers end. */
    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private static double[] times(List<CompletableFuture<Slow>> conns) {
        return conns.stream().mapToDouble(c -> c.join().closedAfterSeconds()).sorted().toArray();
    }

    static long closed(MeterRegistry registry, String reason) {
        Counter c = registry.find("sluice.connections.closed").tag("reason", reason).counter();
        return c == null ? 0 : (long) c.count();
    }
}
