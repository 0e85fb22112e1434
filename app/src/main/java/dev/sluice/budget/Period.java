package dev.sluice.budget;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** The windows spend is counted over: a UTC day and a UTC month, each starting from zero at its first instant. */
enum Period {
    DAY("daily", "today"),
    MONTH("monthly", "this month");

    /** How a budget names it ({@code budget: {daily: ...}}) and how a message says "so far". */
    final String adjective;
    final String sofar;

    Period(String adjective, String sofar) {
        this.adjective = adjective;
        this.sofar = sofar;
    }

    /** The window last asked for, with its first instant: every request settles spend, nearly always in it. */
    private volatile Cached last;

    private record Cached(Instant start, Window window) {}

    /** The window holding {@code now}. */
    Window at(Instant now) {
        Cached c = last;
        if (c != null && !now.isBefore(c.start()) && now.isBefore(c.window().end())) {
            return c.window();
        }
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        c = switch (this) {
            case DAY -> new Cached(day.atStartOfDay().toInstant(ZoneOffset.UTC), new Window(this, "d:" + day,
                    day.toString(), day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC)));
            case MONTH -> new Cached(day.withDayOfMonth(1).atStartOfDay().toInstant(ZoneOffset.UTC), new Window(this,
                    "m:" + day.toString().substring(0, 7), day.toString().substring(0, 7),
                    day.withDayOfMonth(1).plusMonths(1).atStartOfDay().toInstant(ZoneOffset.UTC)));
        };
        last = c;
        return c.window();
    }

    /**
     * One window.
     *
     * @param id the part of a counter's name that names the window: {@code d:2026-12-07}, {@code m:2026-12}
     * @param label the window as /v1/usage shows it: {@code 2026-12-07}, {@code 2026-12}
     * @param end the first instant of the next window, when the budget resets
     */
    record Window(Period period, String id, String label, Instant end) {}
}
