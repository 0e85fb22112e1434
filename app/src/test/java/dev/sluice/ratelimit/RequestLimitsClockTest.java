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

/** The windows of {@link RequestLimits} follow the clock it is given, so no test waits for a minute boundary. */
class RequestLimitsClockTest {
    private static final List<Limit> TWO_RPM = List.of(new Limit("key:a", Kind.REQUESTS, 2));

    private final TestClock clock = TestClock.at(Instant.parse("2026-01-01T00:00:10Z"));
    private final RequestLimits limits = new RequestLimits(RedisSettings.none(), clock);

    private Admission admit() {
        return limits.admit(TWO_RPM, 0).join();
    }

    @Test
    void aWindowHoldsUntilTheClockPassesItsEndThenANewOneStarts() {
        assertThat(admit().allowed()).isTrue();
        assertThat(admit().allowed()).isTrue();
        Admission refused = admit();
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.resetMillis()).isEqualTo(50_000);
        assertThat(refused.retryAfterSeconds()).isEqualTo(50);

        clock.advance(Duration.ofSeconds(49));
        assertThat(admit().allowed()).as("one second before the window ends").isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(admit().allowed()).as("the next minute").isTrue();
    }

    @Test
    void aTestStartsAFreshWindowByMovingTheClock() {
        admit();
        admit();
        clock.startOfNextWindow(RequestLimits.WINDOW_MILLIS);
        Admission first = admit();
        assertThat(first.allowed()).isTrue();
        assertThat(first.resetMillis()).isEqualTo(RequestLimits.WINDOW_MILLIS);
        assertThat(first.remaining()).containsExactly(1);
    }
}
