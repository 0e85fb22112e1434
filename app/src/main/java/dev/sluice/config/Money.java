package dev.sluice.config;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * US dollars as whole nano-dollars (10^-9 USD): prices, budgets and spend are added as integers, so sums are exact
 * in process and in Redis ({@code HINCRBY}). Nano rather than micro: a one-token request at $0.075 per million
 * tokens costs 0.075 micro-dollars, which micro-dollars would round to nothing, request after request. A long holds
 * about 9.2 billion dollars of them.
 */
public final class Money {
    public static final long NANOS_PER_USD = 1_000_000_000L;
    /** The largest amount a price or budget may name: far above any real one, and its products stay in a long. */
    public static final BigDecimal MAX_USD = BigDecimal.valueOf(1_000_000_000L);

    private Money() {}

    /** Dollars (as written in the config) in nano-dollars, rounded half up. */
    public static long nanos(BigDecimal usd) {
        return usd.movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    /** Nano-dollars as dollars, with at least two decimals and no trailing zeros beyond them: 5.00, 0.0213. */
    public static BigDecimal usd(long nanos) {
        BigDecimal d = BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
        return d.setScale(Math.max(2, d.scale()));
    }

    /** For messages: {@code $5.00}, {@code $0.0213}. */
    public static String show(long nanos) {
        return "$" + usd(nanos).toPlainString();
    }

    /**
     * What {@code tokens} cost at {@code usdPerMillion} dollars per million tokens, in nano-dollars: tokens × price ×
     * 1000, rounded half up once per request.
     */
    public static long cost(long tokens, BigDecimal usdPerMillion) {
        if (tokens <= 0 || usdPerMillion == null || usdPerMillion.signum() == 0) {
            return 0;
        }
        return BigDecimal.valueOf(tokens).multiply(usdPerMillion).movePointRight(3)
                .setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
}
