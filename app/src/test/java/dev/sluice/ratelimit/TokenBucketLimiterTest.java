package dev.sluice.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ratelimit.TokenBucketLimiter.Decision;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenBucketLimiterTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    /** A clock that starts at an arbitrary nanoTime-like value and moves only when told. */
    private final AtomicLong now = new AtomicLong(123_456_789_000L);

    private TokenBucketLimiter limiter(int rpm, int burst) {
        return new TokenBucketLimiter(rpm, burst, now::get);
    }

    private void advance(long nanos) {
        now.addAndGet(nanos);
    }

    private static int admitted(TokenBucketLimiter l, String caller, int attempts) {
        int n = 0;
        for (int i = 0; i < attempts; i++) {
            if (l.tryAcquire(caller).allowed()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void admitsTheBurstAtOnceThenRefuses() {
        TokenBucketLimiter l = limiter(60, 5);

        for (int i = 4; i >= 0; i--) {
            Decision d = l.tryAcquire("k");
            assertThat(d.allowed()).isTrue();
            assertThat(d.remaining()).isEqualTo(i);
            assertThat(d.retryAfterSeconds()).isZero();
            assertThat(d.limit()).isEqualTo(60);
        }
        Decision refused = l.tryAcquire("k");
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    }

    @ParameterizedTest(name = "rpm {0}, burst {1}")
    @CsvSource({"60, 1", "60, 10", "120, 3", "600, 50", "3600, 60"})
    void afterTheBurstAdmitsExactlyRpmOverSixtyPerSecond(int rpm, int burst) {
        TokenBucketLimiter l = limiter(rpm, burst);
        assertThat(admitted(l, "k", burst + 5)).isEqualTo(burst);

        for (int second = 1; second <= 5; second++) {
            advance(S);
            assertThat(admitted(l, "k", rpm)).as("second %d", second).isEqualTo(rpm / 60);
        }
    }

    @ParameterizedTest(name = "rpm {0}, burst {2}, polled every {1} ms for a minute")
    @CsvSource({"60, 100, 1", "60, 10, 1", "60, 250, 1", "120, 100, 1", "600, 10, 1", "30, 100, 1", "60, 100, 2",
            "7, 100, 2", "45, 30, 2"})
    void aCallerPollingOnAFixedPeriodGetsExactlyTheBurstPlusTheRate(int rpm, int periodMs, int burst) {
        // with burst 1 the period must divide the token interval, or the bucket overflows between polls
        TokenBucketLimiter l = limiter(rpm, burst);
        int admitted = 0;

        for (long t = 0; t <= 60 * S; t += periodMs * MS) {
            if (l.tryAcquire("k").allowed()) {
                admitted++;
            }
            advance(periodMs * MS);
        }

        assertThat(admitted).isEqualTo(burst + rpm);
    }

    @ParameterizedTest(name = "rpm {0}: retry after {1} s")
    @CsvSource({"1, 60", "6, 10", "7, 9", "30, 2", "45, 2", "60, 1", "120, 1", "100000, 1"})
    void retryAfterIsTheWholeSecondsUntilTheNextToken(int rpm, long retryAfter) {
        TokenBucketLimiter l = limiter(rpm, 1);
        l.tryAcquire("k");

        Decision d = l.tryAcquire("k");

        assertThat(d.allowed()).isFalse();
        assertThat(d.retryAfterSeconds()).isEqualTo(retryAfter);
    }

    @ParameterizedTest(name = "rpm {0}")
    @CsvSource({"1", "6", "7", "45", "60", "90", "120"})
    void waitingExactlyRetryAfterIsEnoughAndWaitingLessIsNot(int rpm) {
        TokenBucketLimiter l = limiter(rpm, 1);
        l.tryAcquire("k");
        for (int round = 0; round < 20; round++) {
            advance(137 * MS * round); // land at assorted points between tokens
            Decision d = l.tryAcquire("k");
            if (d.allowed()) {
                continue;
            }
            long wait = d.retryAfterSeconds();
            assertThat(wait).isPositive();
            if (wait > 1) {
                advance((wait - 1) * S);
                assertThat(l.tryAcquire("k").allowed()).as("a second early").isFalse();
                advance(S);
            } else {
                advance(wait * S);
            }
            assertThat(l.tryAcquire("k").allowed()).as("after Retry-After (round %d)", round).isTrue();
        }
    }

    @Test
    void retryAfterShrinksAsTheNextTokenApproaches() {
        TokenBucketLimiter l = limiter(6, 1); // one token every 10 s
        l.tryAcquire("k");

        assertThat(l.tryAcquire("k").retryAfterSeconds()).isEqualTo(10);
        advance(3 * S);
        assertThat(l.tryAcquire("k").retryAfterSeconds()).isEqualTo(7);
        advance(6_500 * MS);
        assertThat(l.tryAcquire("k").retryAfterSeconds()).isEqualTo(1);
        advance(500 * MS);
        assertThat(l.tryAcquire("k").allowed()).isTrue();
    }

    @Test
    void anIdleBucketRefillsOnlyUpToTheBurst() {
        TokenBucketLimiter l = limiter(60, 3);
        admitted(l, "k", 3);

        advance(3600 * S);

        assertThat(admitted(l, "k", 10)).isEqualTo(3);
    }

    @Test
    void aHugeIdleGapDoesNotOverflow() {
        TokenBucketLimiter l = limiter(10_000_000, 10_000_000);
        l.tryAcquire("k");

        advance(Long.MAX_VALUE / 4);

        Decision d = l.tryAcquire("k");
        assertThat(d.allowed()).isTrue();
        assertThat(d.remaining()).isEqualTo(10_000_000 - 1);
    }

    @Test
    void eachCallerHasItsOwnBucket() {
        TokenBucketLimiter l = limiter(60, 2);

        assertThat(admitted(l, "key:a", 5)).isEqualTo(2);
        assertThat(admitted(l, "key:b", 5)).isEqualTo(2);
        assertThat(admitted(l, "ip:10.0.0.1", 5)).isEqualTo(2);
    }

    @Test
    void aClockThatStepsBackDoesNotRefill() {
        TokenBucketLimiter l = limiter(60, 1);
        l.tryAcquire("k");

        advance(-10 * S);
        assertThat(l.tryAcquire("k").allowed()).isFalse();
        advance(10 * S + S);
        assertThat(l.tryAcquire("k").allowed()).isTrue();
    }

    @Test
    void refusesARateOrBurstBelowOne() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> limiter(0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rpm: 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> limiter(60, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("burst: 0");
    }
}
