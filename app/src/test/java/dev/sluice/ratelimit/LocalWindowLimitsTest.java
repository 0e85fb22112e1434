package dev.sluice.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The in-process windows, on an injected clock: the same rule the Redis script applies. */
class LocalWindowLimitsTest {
    final AtomicLong now = new AtomicLong(120_000);
    final LocalWindowLimits limits = new LocalWindowLimits(now::get);

    WindowLimits.Outcome take(long cost) {
        return limits.decide(List.of(new WindowLimits.Check("k:rpm", 3, 1), new WindowLimits.Check("k:tpm", 100, cost)),
                60_000);
    }

    @Test
    void admitsUpToTheLimitThenRefusesUntilTheWindowEnds() {
        assertThat(take(10).allowed()).isTrue();
        assertThat(take(10).allowed()).isTrue();
        WindowLimits.Outcome third = take(10);
        assertThat(third.allowed()).isTrue();
        assertThat(third.remaining()).containsExactly(0, 70);
        now.addAndGet(45_000);
        WindowLimits.Outcome refused = take(10);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.denied()).isZero();
        assertThat(refused.resetMillis()).isEqualTo(15_000);
        now.addAndGet(15_000);
        assertThat(take(10).allowed()).isTrue(); // a new window
    }

    @Test
    void aRefusalChargesNothingAndSettlementReplacesTheReservation() {
        assertThat(take(90).allowed()).isTrue();
        WindowLimits.Outcome refused = take(20);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.denied()).isEqualTo(1);
        assertThat(refused.remaining()).containsExactly(2, 10); // the request counter was not charged
        limits.adjust("k:tpm", refused.window(), 30 - 90); // used 30 of the 90 reserved
        assertThat(take(20).remaining()).containsExactly(1, 50);
    }

    @Test
    void oneRequestLargerThanTheWholeLimitIsAdmittedOncePerWindow() {
        assertThat(take(500).allowed()).isTrue();
        assertThat(take(1).allowed()).isFalse();
    }
}
