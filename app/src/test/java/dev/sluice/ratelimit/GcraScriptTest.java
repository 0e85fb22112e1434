package dev.sluice.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ratelimit.Buckets.Check;
import dev.sluice.ratelimit.Buckets.Outcome;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * The Lua script on a real Redis and {@link LocalBuckets} take the same decisions, step for step, on one clock:
 * burst, refill and the window edge mean the same with Redis and without.
 */
class GcraScriptTest {
    static RedisServer redis;
    static final AtomicLong now = new AtomicLong(1_767_225_600_000L); // 2026-01-01T00:00:00Z, a clock minute's start
    static RedisBuckets inRedis;

    @BeforeAll
    static void start() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        redis = new RedisServer(port);
        redis.start();
        inRedis = new RedisBuckets("redis://127.0.0.1:" + port, Duration.ofSeconds(2), now::get);
        inRedis.awaitConnected(Duration.ofSeconds(2));
    }

    @AfterAll
    static void stop() throws IOException {
        inRedis.close();
        redis.stop();
    }

    static Outcome redis(List<Check> checks) {
        return inRedis.acquire(checks).join();
    }

    @Test
    void randomDecisionsAgreeExactlyBetweenTheScriptAndTheLocalBuckets() {
        LocalBuckets local = new LocalBuckets(now::get);
        Random random = new Random(14);
        int admitted = 0;
        for (int i = 0; i < 600; i++) {
            now.addAndGet(random.nextInt(4) == 0 ? random.nextInt(20_000) : random.nextInt(300));
            // an odd rate (7/min is not a whole number of ms per request), a burst, a token limit with large costs
            List<Check> checks = List.of(new Check("rand:a:rpm", 7, 3, 1),
                    new Check("rand:a:tpm", 1_000, 1_000, random.nextInt(1_500)),
                    new Check("rand:m:rpm", 120_000_000, 50, 1));
            if (random.nextInt(10) == 0) {
                long delta = random.nextInt(800) - 400;
                local.adjust("rand:a:tpm", 1_000, delta).join();
                inRedis.adjust("rand:a:tpm", 1_000, delta).join();
            }
            Outcome l = local.acquire(checks).join();
            Outcome r = redis(checks);
            assertThat(r.allowed()).as("step %d", i).isEqualTo(l.allowed());
            assertThat(r.denied()).as("step %d", i).isEqualTo(l.denied());
            assertThat(r.levels()).as("step %d", i).containsExactly(l.levels());
            admitted += l.allowed() ? 1 : 0;
        }
        assertThat(admitted).as("the sequence exercises both answers").isBetween(50, 550);
    }

    @Test
    void theBurstIsAdmittedAtOnceThenOneRequestPerIntervalInBothStores() {
        LocalBuckets local = new LocalBuckets(now::get);
        List<Check> check = List.of(new Check("burst:rpm", 60, 5, 1)); // 5 at once, then one a second
        for (int i = 0; i < 5; i++) {
            assertThat(local.acquire(check).join().allowed()).isTrue();
            assertThat(redis(check).allowed()).isTrue();
        }
        assertThat(local.acquire(check).join().allowed()).isFalse();
        assertThat(redis(check).allowed()).isFalse();
        now.addAndGet(999);
        assertThat(local.acquire(check).join().allowed()).isFalse();
        assertThat(redis(check).allowed()).isFalse();
        now.addAndGet(1);
        assertThat(local.acquire(check).join().allowed()).isTrue();
        assertThat(redis(check).allowed()).isTrue();
        assertThat(local.acquire(check).join().allowed()).isFalse();
        assertThat(redis(check).allowed()).isFalse();
    }

    @Test
    void noClockMinuteEdgeAdmitsTheLimitTwice() {
        LocalBuckets local = new LocalBuckets(now::get);
        now.updateAndGet(m -> (Math.floorDiv(m, 60_000) + 1) * 60_000 - 100); // 100 ms before a minute ends
        List<Check> check = List.of(new Check("edge:rpm", 300, 300, 1));
        int before = 0;
        for (int i = 0; i < 400; i++) {
            boolean l = local.acquire(check).join().allowed();
            assertThat(redis(check).allowed()).isEqualTo(l);
            before += l ? 1 : 0;
        }
        now.addAndGet(200); // 100 ms into the next minute: a fixed window would admit 300 more here
        int after = 0;
        for (int i = 0; i < 400; i++) {
            boolean l = local.acquire(check).join().allowed();
            assertThat(redis(check).allowed()).isEqualTo(l);
            after += l ? 1 : 0;
        }
        System.out.printf("LIMITS minute edge: 300/min burst 300, admitted %d before the edge and %d in the 200 ms"
                + " across it%n", before, after);
        assertThat(before).isEqualTo(300);
        assertThat(after).as("200 ms of refill at 5 per second").isEqualTo(1);
    }

    @Test
    void anOversizedRequestPassesAnEmptyBucketOnceAndItsDebtDrainsFirst() {
        LocalBuckets local = new LocalBuckets(now::get);
        List<Check> big = List.of(new Check("big:tpm", 600, 100, 300)); // 300 tokens against a burst of 100
        assertThat(local.acquire(big).join().allowed()).isTrue();
        assertThat(redis(big).allowed()).isTrue();
        now.addAndGet(29_000); // 290 of the 300 drained: 10 still owed
        assertThat(local.acquire(big).join().allowed()).isFalse();
        assertThat(redis(big).allowed()).isFalse();
        now.addAndGet(1_000);
        assertThat(local.acquire(big).join().allowed()).isTrue();
        assertThat(redis(big).allowed()).isTrue();
    }
}
