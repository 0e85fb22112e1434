package dev.sluice.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.RedisSettings;
import dev.sluice.ratelimit.RequestLimits.Admission;
import dev.sluice.ratelimit.RequestLimits.Kind;
import dev.sluice.ratelimit.RequestLimits.Limit;
import dev.sluice.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RequestLimits} follows the clock it is given, so no test waits for a bucket to refill. */
class RequestLimitsClockTest {
    /** 2 per minute, both usable at once: one request back every 30 s. */
    private static final List<Limit> TWO_RPM = List.of(new Limit("key:a", Kind.REQUESTS, 2));

    private final TestClock clock = TestClock.at(Instant.parse("2026-01-01T00:00:10Z"));
    private final RequestLimits limits = new RequestLimits(RedisSettings.none(), clock);

    private Admission admit() {
        return limits.admit(TWO_RPM, 0).join();
    }

    @Test
    void theBurstIsUsedAtOnceThenOneRequestComesBackPerIntervalWhateverTheClockMinute() {
        assertThat(admit().allowed()).isTrue();
        assertThat(admit().allowed()).isTrue();
        Admission refused = admit();
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.resetMillis()).isEqualTo(30_000);
        assertThat(refused.retryAfterSeconds()).isEqualTo(30);

        clock.advance(Duration.ofMillis(29_999));
        assertThat(admit().allowed()).as("1 ms before one request has refilled").isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(admit().allowed()).as("one request refilled").isTrue();
        assertThat(admit().allowed()).as("only one").isFalse();
    }

    @Test
    void anAdmissionReportsWhatIsLeftAndWhenTheBucketIsFullAgain() {
        Admission first = admit();
        assertThat(first.allowed()).isTrue();
        assertThat(first.remaining()).containsExactly(1);
        assertThat(first.resetMillis()).isEqualTo(30_000);
        clock.advance(Duration.ofMinutes(1));
        assertThat(admit().remaining()).as("full again after a minute idle").containsExactly(1);
    }
}
