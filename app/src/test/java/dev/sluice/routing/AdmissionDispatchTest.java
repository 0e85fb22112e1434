package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.error.Cause;
import dev.sluice.observability.RequestRecord;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Reply;
import dev.sluice.translate.OpenAiPassthroughStream;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Slots through the real dispatcher over loopback: whatever ends a request (an answer, a 500 after its retries, a
 * stream the runtime cut, a client that left while queued or mid-stream, a total timeout) gives its slot back, so
 * the deployment ends with nothing held and its whole capacity free.
 */
class AdmissionDispatchTest {
    /** A client connection the test can close. */
    private static final class Link implements ClientLink {
        private final List<Runnable> onClose = new CopyOnWriteArrayList<>();

        @Override
        public Registration onClose(Runnable r) {
            onClose.add(r);
            return () -> onClose.remove(r);
        }

        void close() {
            onClose.forEach(Runnable::run);
        }
    }

    private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(5);
        }
    }

    private static RequestRecord record() {
        return new RequestRecord("t", "POST", r -> {});
    }

    @Test
    void every_way_a_request_ends_gives_its_slot_back() throws Exception {
        try (FakeRuntime fake = FakeRuntime.vllm(); Fleet fleet = new Fleet()) {
            Upstream u = new Upstream("a", "m", fleet.backend(fake, Fleet.SECRET), null, 1, 1000,
                    Duration.ofSeconds(30), null, Map.of(), null, 2);
            Pool pool = new Pool("m", List.of(u), Pool.Strategy.WEIGHTED, Pool.DEFAULT_SPILL,
                    new Admission.Settings(50, Duration.ofSeconds(20)));
            Router router = new Router(List.of(pool), Map.of(), Map.of(), Fleet.retries(1),
                    new RetryBudget(1.0, 100), fleet.events);
            Dispatcher d = new Dispatcher(router, Fleet.timeouts(Duration.ofSeconds(5), Duration.ofSeconds(1)),
                    Fleet.SECRET, e -> {}, fleet.events);

            // two streams hold both slots; six requests queue behind them, three of whose clients leave
            CountDownLatch hold = new CountDownLatch(1);
            for (int i = 0; i < 2; i++) {
                fake.enqueue(Reply.sse().data(dev.sluice.testing.Chunks.delta("s", "a")).await(hold)
                        .data(dev.sluice.testing.Chunks.stop("s")));
            }
            List<CompletableFuture<String>> held = List.of(fleet.stream(d, "m"), fleet.stream(d, "m"));
            eventually(() -> u.held() == 2 && Fleet.chatRequests(fake) == 2, "both slots taken");
            List<Link> links = new ArrayList<>();
            List<CompletableFuture<UpstreamResult<Void>>> queued = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Link link = new Link();
                links.add(link);
                EventLoop loop = fleet.loop();
                queued.add(d.unary(router.route("m"), fleet.chat("m", false, loop), record(), link));
            }
            eventually(() -> pool.admission().depth() == 6, "six waiting");
            for (int i = 0; i < 3; i++) {
                links.get(i).close();
                assertThat(Fleet.failure(queued.get(i)).cause()).isEqualTo(Cause.CLIENT_GONE);
            }
            assertThat(pool.admission().depth()).isEqualTo(3);
            Fleet.repeat(fake, Fleet.ok("served"), 3);
            hold.countDown();
            for (CompletableFuture<String> s : held) {
                assertThat(s.get(10, TimeUnit.SECONDS)).contains("[DONE]");
            }
            for (int i = 3; i < 6; i++) {
                assertThat(queued.get(i).get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            }
            assertThat(Fleet.chatRequests(fake)).as("the clients that left never reached the runtime").isEqualTo(5);

            // 500s through their retry, streams the runtime cuts, hangs past the total timeout
            Fleet.repeat(fake, Reply.json(500, "{\"error\":{\"message\":\"boom\"}}"), 6);
            List<CompletableFuture<?>> failing = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                failing.add(fleet.unary(d, "m"));
            }
            for (CompletableFuture<?> f : failing) {
                assertThat(Fleet.failure(f).status()).isEqualTo(500);
            }
            for (int i = 0; i < 3; i++) {
                fake.enqueue(Reply.sse().data(dev.sluice.testing.Chunks.delta("s", "x")).cutAfter(1));
            }
            for (int i = 0; i < 3; i++) {
                assertThat(fleet.stream(d, "m").get(10, TimeUnit.SECONDS)).contains("error");
            }
            Fleet.repeat(fake, Reply.hang(), 4);
            CompletableFuture<?> a = fleet.unary(d, "m");
            CompletableFuture<?> b = fleet.unary(d, "m");
            assertThat(Fleet.failure(a).cause()).isEqualTo(Cause.TOTAL_TIMEOUT);
            assertThat(Fleet.failure(b).cause()).isEqualTo(Cause.TOTAL_TIMEOUT);

            // a client that leaves mid-stream
            CountDownLatch never = new CountDownLatch(1);
            fake.enqueue(Reply.sse().data(dev.sluice.testing.Chunks.delta("s", "y")).await(never));
            Link leaving = new Link();
            CompletableFuture<StreamRelay> relay = d.stream(router.route("m"), fleet.chat("m", true, fleet.loop()),
                    x -> new OpenAiPassthroughStream(false, null), record(), leaving);
            CompletableFuture<Void> firstEvent = new CompletableFuture<>();
            relay.get(10, TimeUnit.SECONDS).subscribe(new Subscriber<>() {
                @Override
                public void onSubscribe(Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(byte[] bytes) {
                    firstEvent.complete(null);
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onComplete() {}
            });
            firstEvent.get(10, TimeUnit.SECONDS);
            leaving.close();

            eventually(() -> u.held() == 0 && u.inFlight() == 0, "every slot back (held " + u.held() + ")");
            assertThat(pool.admission().depth()).isZero();
            Fleet.repeat(fake, Fleet.ok("again"), 2);
            List<CompletableFuture<UpstreamResult<Void>>> again = List.of(fleet.unary(d, "m"), fleet.unary(d, "m"));
            for (CompletableFuture<UpstreamResult<Void>> f : again) {
                assertThat(f.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            }
            eventually(() -> u.held() == 0, "slots back after the last two");
        }
    }
}
