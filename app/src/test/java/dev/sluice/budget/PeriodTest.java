package dev.sluice.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Spend windows, remembered between requests: the same window as a fresh computation at every instant. */
class PeriodTest {

    private static void assertWindow(Instant now) {
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Period.Window d = Period.DAY.at(now);
        assertThat(d.id()).as("day of %s", now).isEqualTo("d:" + day);
        assertThat(d.label()).isEqualTo(day.toString());
        assertThat(d.end()).isEqualTo(day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC));
        Period.Window m = Period.MONTH.at(now);
        assertThat(m.id()).as("month of %s", now).isEqualTo("m:" + day.toString().substring(0, 7));
        assertThat(m.end()).isEqualTo(day.withDayOfMonth(1).plusMonths(1).atStartOfDay().toInstant(ZoneOffset.UTC));
    }

    @Test
    void theWindowChangesExactlyAtMidnightAndAtTheMonthsEndAndFollowsAClockThatGoesBack() {
        Instant newYear = Instant.parse("2027-01-01T00:00:00Z");
        for (Instant t : new Instant[] {newYear.minusMillis(1), newYear, newYear.minusNanos(1), newYear.plusSeconds(86_399),
            newYear.plusSeconds(86_400), newYear.minusSeconds(3600), Instant.parse("2028-02-29T12:00:00Z"),
            Instant.parse("2028-03-01T00:00:00Z"), Instant.parse("2028-02-29T23:59:59.999999999Z")}) {
            assertWindow(t);
        }
    }

    @Test
    void agreesWithAFreshComputationOverRandomWalksOfTime() {
        Random r = new Random(20261208L);
        Instant t = Instant.parse("2026-12-07T22:00:00Z");
        for (int i = 0; i < 20_000; i++) {
            long step = switch (r.nextInt(10)) {
                case 0 -> -r.nextInt(200_000); // the clock stepped back
                case 1 -> r.nextInt(40 * 86_400);
                default -> r.nextInt(120);
            };
            t = t.plusSeconds(step).plusNanos(r.nextInt(1_000_000_000));
            assertWindow(t);
        }
    }
}
