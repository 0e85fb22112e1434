package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Clients that stop reading (reliability.md G2b, issue 13 item 5). Before: the relay stopped reading the backend for
 * them (backpressure), its idle clock ran on, and "the backend stream stalled" counted against the deployment, so
 * enough stuck clients ejected a healthy one. Now the backend's clock stands still while the gateway is not reading
 * it, and CLIENT_WRITE_TIMEOUT_S closes the stuck client's connection, which cancels the upstream, blamed on no one.
 *
 * <p>200 raw sockets with tiny receive buffers ask for a stream and never read; the fake runtime streams 4 KiB events
 * every 20 ms. IDLE_TIMEOUT_S (8 s) is shorter than CLIENT_WRITE_TIMEOUT_S (10 s), so the backend would be
 * blamed first if its clock ran (both are long enough that a shared, loaded build box starving the gateway for
 * seconds is not mistaken for a stalled backend). {@code -Dsluice.timed=true} applies the "within the timeout + 1 s" bar (measured from the stream's first
 * event, so + 2 s: the buffers take about a second to fill).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class NonReadingClientsTest {
    private static final int CLIENTS = Integer.getInteger("clients", 200);
    private static final double WRITE_TIMEOUT = 10;
    private static final byte[] EVENT = ("data: " + Chunks.delta("c1", "x".repeat(4096)) + "\n\n")
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void clients_that_stop_reading_eject_no_deployment_and_cancel_their_upstreams() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try (FakeRuntime fake = FakeRuntime.vllm();
                // on loopback the kernel grows a connection's send buffer to 4 MiB, so a stuck client would take
                // megabytes per connection (minutes of CPU on a shared 2-core box) before the gateway's own buffer
                // fills; a fixed 32 KiB makes that kilobytes, and what follows is the same
                Gateway gw = Gateway.builder().backend(fake).env("IDLE_TIMEOUT_S", 8).env("KEEPALIVE_S", 0.5)
                        .env("CLIENT_WRITE_TIMEOUT_S", WRITE_TIMEOUT)
                        .property("micronaut.server.netty.child-options.SO_SNDBUF", 32 * 1024).start();
                AutoCloseable hangUp = () -> closeAll(sockets)) {
            for (int i = 0; i < CLIENTS; i++) {
                // 200 KB/s per stream: fills a stuck client's buffers within a second without starving the box
                Reply.Sse s = Reply.sse().eventDelay(Duration.ofMillis(20));
                for (int e = 0; e < 1500; e++) {
                    s.raw(EVENT);
                }
                fake.enqueue(s);
            }
            byte[] body = Chunks.chatRequest(true).getBytes(StandardCharsets.UTF_8);
            byte[] request = ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                    + "\r\nContent-Length: " + body.length + "\r\n\r\n" + new String(body, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < CLIENTS; i++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(1024); // before connect, so the advertised window stays tiny
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gw.port()), 5000);
                sockets.add(s);
                OutputStream out = s.getOutputStream();
                out.write(request);
                out.flush();
            }

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (fake.apiRequests().size() < CLIENTS && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            List<RecordedRequest> upstream = fake.apiRequests();
            assertThat(upstream).hasSize(CLIENTS);
            List<CompletableFuture<Double>> cancelled = new ArrayList<>();
            for (RecordedRequest r : upstream) {
                // from the stream's first event: the stall starts later (once the buffers are full, within about a
                // second at this rate), so this bounds stall-to-cancel from above
                cancelled.add(r.connectionClosed().thenApply(v -> (System.nanoTime() - r.eventSentAt(0)) / 1e9));
            }
            CompletableFuture.allOf(cancelled.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            double worst = cancelled.stream().mapToDouble(CompletableFuture::join).max().orElseThrow();
            MeterRegistry registry = gw.bean(MeterRegistry.class);
            long stalls = SlowClientsTest.closed(registry, "client_write_timeout");
            System.out.printf("non-reading clients: %d upstreams cancelled, at most %.2f s after their stream's first event"
                    + " (CLIENT_WRITE_TIMEOUT_S=%.0f); %d connections closed for the write stall; ejections %d%n",
                    upstream.size(), worst, WRITE_TIMEOUT, stalls, ejections(registry));
            assertThat(ejections(registry)).as("deployments ejected").isZero();
            assertThat(sum(registry, "sluice.backend.errors")).as("failures blamed on the backend").isZero();
            assertThat(stalls).isEqualTo(CLIENTS);
            if (Boolean.getBoolean("sluice.timed")) {
                assertThat(worst).isLessThan(WRITE_TIMEOUT + 2); // + 1 s, + the second it takes to fill the buffers
            }

            // and the deployment still serves
            fake.enqueue(Reply.sse().data(Chunks.delta("c2", "ok")).data(Chunks.stop("c2")));
            HttpResponse<String> ok = gw.post("/v1/chat/completions", Chunks.chatRequest(true));
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains("\"ok\"").contains("data: [DONE]");
            JsonNode health = Gateway.json(gw.get("/health"));
            assertThat(health.toString()).doesNotContain("\"ejected\":true");
        }
    }

    private static long ejections(MeterRegistry registry) {
        return sum(registry, "sluice.upstream.ejections");
    }

    private static long sum(MeterRegistry registry, String name) {
        return (long) registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
