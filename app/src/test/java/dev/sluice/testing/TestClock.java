package dev.sluice.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when the test moves it. Given to a gateway ({@link Gateway.Builder#singleton}), it
 * decides the rate-limit windows, so a test starts a fresh window with {@link #startOfNextWindow} instead of
 * sleeping until a minute boundary. Thread-safe; every copy ({@link #withZone}) shares the same time.
 */
public final class TestClock extends Clock {
    private final AtomicLong millis;
    private final ZoneId zone;

    private TestClock(AtomicLong millis, ZoneId zone) {
        this.millis = millis;
        this.zone = zone;
    }

    /** A clock standing at {@code start}. */
    public static TestClock at(Instant start) {
        return new TestClock(new AtomicLong(start.toEpochMilli()), ZoneOffset.UTC);
    }

    /** Moves the clock on by {@code d}. */
    public void advance(Duration d) {
        millis.addAndGet(d.toMillis());
    }

    /** Moves the clock to the first millisecond of the next window of {@code windowMillis}. */
    public void startOfNextWindow(long windowMillis) {
        millis.updateAndGet(m -> (Math.floorDiv(m, windowMillis) + 1) * windowMillis);
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new TestClock(millis, zone);
    }
}
