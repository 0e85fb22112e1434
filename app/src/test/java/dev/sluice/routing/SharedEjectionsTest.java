package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.SimBackend;
import dev.sluice.config.env.ConfigLoader;
import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.testing.EmbeddedRedis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Replicas agree on an ejected deployment through Redis. */
class SharedEjectionsTest {
    private EmbeddedRedis redis;

    @BeforeEach
    void startRedis() throws Exception {
        redis = new EmbeddedRedis();
    }

    @AfterEach
    void stopRedis() throws Exception {
        redis.close();
    }

    private static Upstream upstream() {
        var config = ConfigLoader.load(Map.<String, String>of()::get);
        return new Upstream("vllm-a", "chat", new SimBackend(config.sim(), "sim", config.backendKind()), null, 1, 3, Duration.ofSeconds(30));
    }

    private static Router router(Upstream u) {
        return new Router(List.of(new Pool("chat", List.of(u), Pool.Strategy.WEIGHTED)), Map.of(), Map.of(),
                RetryPolicy.NONE, new RetryBudget(0.2, 3), Router.RouteEvents.NONE);
    }

    @Test
    void aDeploymentEjectedByOneReplicaIsEjectedOnTheOtherAfterItsNextPoll() throws Exception {
        Upstream onA = upstream();
        Upstream onB = upstream();
        String url = redis.url();
        try (SharedEjections a = new SharedEjections(url, Duration.ofMillis(500), router(onA), null);
                SharedEjections b = new SharedEjections(url, Duration.ofMillis(500), router(onB), null)) {
            assertThat(a.awaitConnected(Duration.ofSeconds(5))).isTrue();
            assertThat(b.awaitConnected(Duration.ofSeconds(5))).isTrue();
            b.poll();
            assertThat(onB.ejected(System.nanoTime())).isFalse();

            boolean ejected = onA.failed(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.CONNECT_REFUSED,
                    "could not connect to the backend at x:1 (connection refused)"), System.nanoTime());
            assertThat(ejected).isTrue();
            a.ejected(onA);
            Thread.sleep(100); // the SET is asynchronous
            b.poll();

            assertThat(onB.ejected(System.nanoTime())).isTrue();
            long remaining = onB.ejectedUntil() - System.nanoTime();
            assertThat(Duration.ofNanos(remaining)).isBetween(Duration.ofSeconds(25), Duration.ofSeconds(31));
        }
    }

    @Test
    void withRedisDownEachReplicaDecidesAloneAndNothingFails() throws Exception {
        redis.stop();
        Upstream onA = upstream();
        try (SharedEjections a = new SharedEjections(redis.url(), Duration.ofMillis(100),
                router(onA), null)) {
            onA.failed(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.CONNECT_REFUSED, "connection refused"), System.nanoTime());
            a.ejected(onA);
            a.poll();
            assertThat(onA.ejected(System.nanoTime())).isTrue();
        }
        redis.start();
    }
}
