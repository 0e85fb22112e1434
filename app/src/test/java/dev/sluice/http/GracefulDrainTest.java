package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.ChildGateway;
import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * G20 for issue 14: SIGTERM drains instead of cutting. The gateway runs as its own process (the signal is the real
 * one); 50 streams at 10 events/s from a fake runtime, SIGTERM 2 s in. With DRAIN_TIMEOUT_S=10 every stream ends with
 * {@code [DONE]}; with DRAIN_TIMEOUT_S=1 every stream ends with an explicit OpenAI error event (never {@code [DONE]},
 * never a silent cut), the access log says {@code outcome=shutdown}, the runtime sees every connection closed, and
 * the process exits within the drain + 5 s. Meanwhile {@code /readyz} is 503 at once, new connections are served
 * during DRAIN_DELAY_S and refused after it. Before the drain, SIGTERM exited in 1.2 s and cut every stream silently.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class GracefulDrainTest {
    private static final int STREAMS = 50;
    /** 60 events at 10/s: each stream lasts about 6 s, past the 1 s drain and well within the 10 s one. */
    private static final int EVENTS = 60;
    private static final Duration READ = Duration.ofSeconds(30);

    enum End { DONE, ERROR, CUT }

    record Result(End end, int deltas, String last) {}

    @Test
    void a_drain_longer_than_the_streams_lets_every_stream_finish_with_done() throws Exception {
        try (FakeRuntime vllm = FakeRuntime.vllm()) {
            Run run = Run.start(vllm, 10, 1);
            long signalled = run.sigterm();

            // readiness off at once, and new connections still served during DRAIN_DELAY_S
            // (the signal is handled asynchronously: poll briefly; the G20 bar of 100 ms is for an idle box)
            int ready = status(run.gateway.port(), "/readyz");
            for (int i = 0; ready != 503 && i < 40; i++) {
                Thread.sleep(10);
                ready = status(run.gateway.port(), "/readyz");
            }
            assertThat(ready).isEqualTo(503);
            assertThat(status(run.gateway.port(), "/livez")).isEqualTo(200);

            List<Result> results = run.results();
            assertThat(results).extracting(Result::end).containsOnly(End.DONE);
            assertThat(results).extracting(Result::deltas).as("every delta, in order").containsOnly(EVENTS - 1);

            // after the delay the listener is closed: a new connection is refused, not served
            sleepUntil(signalled + TimeUnit.MILLISECONDS.toNanos(1500));
            if (run.gateway.alive()) {
                assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), run.gateway.port()).close())
                        .isInstanceOf(ConnectException.class);
            }
            assertThat(run.awaitExit()).isLessThan(Duration.ofSeconds(10 + 5));
            assertThat(run.gateway.log()).contains("drained: every request and stream finished");
        }
    }

    @Test
    void a_drain_shorter_than_the_streams_ends_each_with_an_error_event_and_closes_its_upstream() throws Exception {
        try (FakeRuntime vllm = FakeRuntime.vllm()) {
            Run run = Run.start(vllm, 1, 0.5);
            run.sigterm();

            List<Result> results = run.results();
            assertThat(results).extracting(Result::end).containsOnly(End.ERROR);
            assertThat(results).allSatisfy(r -> {
                assertThat(r.deltas()).as("cut mid-stream, not before it").isBetween(1, EVENTS - 2);
                assertThat(r.last()).contains("shutting down");
            });
            Duration exit = run.awaitExit();
            assertThat(exit).isLessThan(Duration.ofSeconds(1 + 5));
            for (RecordedRequest upstream : vllm.apiRequests()) {
                upstream.awaitClosedByGateway(Duration.ofSeconds(5));
            }
            assertThat(vllm.connectionsOpen()).isZero();
            String log = run.gateway.log();
            assertThat(log).contains("drain deadline: ended");
            assertThat(count(log, "outcome=shutdown") + count(log, "\"outcome\":\"shutdown\"")).isEqualTo(STREAMS);
            assertThat(log).doesNotContain("client_closed");
        }
    }

    /** One gateway process with {@link #STREAMS} streams open through it. */
    static final class Run {
        final ChildGateway gateway;
        final List<Future<Result>> clients = new ArrayList<>();
        final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        long signalledAt;

        private Run(ChildGateway gateway) {
            this.gateway = gateway;
        }

        static Run start(FakeRuntime vllm, int drainSeconds, double delaySeconds) throws Exception {
            for (int i = 0; i < STREAMS; i++) {
                Reply.Sse sse = Reply.sse().eventDelay(Duration.ofMillis(100));
                for (int e = 0; e < EVENTS - 1; e++) {
                    sse.data(Chunks.delta("s" + i, "t" + e + " "));
                }
                vllm.enqueue(sse.data(Chunks.stop("s" + i)));
            }
            ChildGateway g = ChildGateway.start(List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1"),
                    Map.of("BACKEND_KIND", vllm.kind(), "BACKEND_BASE_URL", vllm.baseUrl(), "LOG_JSON", "false",
                            "DRAIN_TIMEOUT_S", Integer.toString(drainSeconds), "DRAIN_DELAY_S",
                            Double.toString(delaySeconds)));
            Run run = new Run(g);
            for (int i = 0; i < STREAMS; i++) {
                run.clients.add(run.threads.submit(() -> stream(g.port())));
            }
            // every stream under way before the signal
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (vllm.apiRequests().size() < STREAMS && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(vllm.apiRequests()).hasSize(STREAMS);
            return run;
        }

        /** SIGTERM two seconds after the streams started. */
        long sigterm() throws InterruptedException {
            Thread.sleep(2000);
            signalledAt = System.nanoTime();
            ProcessHandle.of(gateway.pid()).orElseThrow().destroy();
            return signalledAt;
        }

        List<Result> results() throws Exception {
            List<Result> out = new ArrayList<>();
            for (Future<Result> f : clients) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            threads.close();
            return out;
        }

        Duration awaitExit() throws InterruptedException {
            ProcessHandle h = ProcessHandle.of(gateway.pid()).orElse(null);
            if (h != null) {
                try {
                    h.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError("the gateway did not exit within 30 s of SIGTERM:\n" + gateway.log(), e);
                }
            }
            gateway.close();
            return Duration.ofNanos(System.nanoTime() - signalledAt);
        }
    }

    static Result stream(int port) throws IOException {
        try (RawHttp c = RawHttp.postJson(port, "/v1/chat/completions", null, Chunks.chatRequest(true), READ)) {
            assertThat(c.status()).isEqualTo(200);
            int deltas = 0;
            String last = null;
            RawHttp.Event ev;
            while ((ev = c.nextEvent(READ)) != null) {
                last = ev.text();
                if (last.contains("\"content\":\"t" + deltas + " ")) {
                    deltas++;
                } else if (last.contains("\"content\":\"t")) {
                    return new Result(End.CUT, -deltas, "out of order: " + last);
                }
            }
            if (last != null && last.contains("[DONE]")) {
                return new Result(End.DONE, deltas, last);
            }
            if (last != null && last.contains("\"error\"")) {
                return new Result(End.ERROR, deltas, last);
            }
            return new Result(End.CUT, deltas, last);
        } catch (IOException e) {
            return new Result(End.CUT, -1, e.toString());
        }
    }

    static int status(int port, String path) throws IOException {
        try (RawHttp r = RawHttp.send(port, "GET", path, Map.of(), null)) {
            r.readHead(Duration.ofSeconds(5));
            return r.status();
        }
    }

    static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
