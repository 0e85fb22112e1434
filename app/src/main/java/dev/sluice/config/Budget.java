package dev.sluice.config;

import java.math.BigDecimal;

/**
 * The most a key or an alias may spend per UTC day and per UTC month, in US dollars: a key's or a
 * {@code model_list} entry's {@code budget: {daily: 5, monthly: 100}}. Null means no such budget.
 */
public record Budget(BigDecimal daily, BigDecimal monthly) {
    public Budget {
        if (daily == null && monthly == null) {
            throw new IllegalArgumentException("daily and monthly are both null (expected: at least one)");
        }
        // 5 and 5.00 are one budget: entries of an alias that give it must agree
        daily = plain(daily);
        monthly = plain(monthly);
    }

    private static BigDecimal plain(BigDecimal d) {
        if (d == null) {
            return null;
        }
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    /** The daily budget in nano-dollars, or -1 when there is none. */
    public long dailyNanos() {
        return daily == null ? -1 : Money.nanos(daily);
    }

    /** The monthly budget in nano-dollars, or -1 when there is none. */
    public long monthlyNanos() {
        return monthly == null ? -1 : Money.nanos(monthly);
    }
}
