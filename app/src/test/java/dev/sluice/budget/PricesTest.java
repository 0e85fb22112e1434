package dev.sluice.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Money;
import dev.sluice.config.Price;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Costs in whole nano-dollars, cached input apart, a GPU-hour price from the measured rate, and the UTC windows. */
class PricesTest {
    static final long SECOND = 1_000_000_000L;

    static Price fixed(String in, String out, String cached) {
        return Price.perMillion(new BigDecimal(in), new BigDecimal(out),
                cached == null ? null : new BigDecimal(cached));
    }

    @Test
    void aCostIsTokensTimesThePricePerMillionInWholeNanoDollars() {
        assertThat(Money.cost(1_000_000, new BigDecimal("1"))).isEqualTo(Money.NANOS_PER_USD);
        // one token at $0.075 per million is 75 nano-dollars, which micro-dollars would round to 0
        assertThat(Money.cost(1, new BigDecimal("0.075"))).isEqualTo(75);
        assertThat(Money.cost(3, new BigDecimal("0.0000005"))).as("rounded half up once").isEqualTo(0);
        assertThat(Money.show(5_000_000_000L)).isEqualTo("$5.00");
        assertThat(Money.show(21_300_000L)).isEqualTo("$0.0213");
        assertThat(Money.usd(1_000_000_000_000L).toPlainString()).isEqualTo("1000.00");
    }

    @Test
    void cachedInputIsChargedAtItsOwnPriceAndTheRestAtTheInputPrice() {
        Prices p = new Prices(Map.of("d", fixed("1", "2", "0.5"), "same", fixed("1", "2", null)));
        // 600 uncached × $1 + 400 cached × $0.5 + 500 out × $2 = 1800 micro-dollars
        assertThat(p.cost("d", 1000, 500, 400, 0, SECOND)).isEqualTo(1_800_000);
        assertThat(p.cost("same", 1000, 500, 400, 0, SECOND)).isEqualTo(2_000_000);
        assertThat(p.cost("unpriced", 1000, 500, 0, 0, SECOND)).isZero();
        assertThat(p.cost(null, 1000, 500, 0, 0, SECOND)).as("a cache hit").isZero();
    }

    @Test
    void aGpuHourPriceComesFromTheMeasuredOutputRateSoABusyHourCostsTheGpuHour() {
        Price gpu = new Price(BigDecimal.ZERO, null, BigDecimal.ZERO, new BigDecimal("3.60"));
        Prices p = new Prices(Map.of("gpu", gpu));
        // one request of 1 s with 100 output tokens: 100 tokens/s, $3.60 / 3600 s = $0.001 per second of GPU
        assertThat(p.cost("gpu", 50, 100, 0, 0, SECOND)).isEqualTo(1_000_000);
        assertThat(p.measuredPerSecond("gpu")).isEqualTo(100.0);
        // two more overlapping the same second (0.5 s - 1.5 s and 1 s - 2 s) with 100 tokens each: busy 2 s in all,
        // 300 tokens, 150 tokens/s; the price falls as batching raises the rate
        p.cost("gpu", 0, 100, 0, SECOND / 2, 3 * SECOND / 2);
        assertThat(p.measuredPerSecond("gpu")).isCloseTo(200.0 / 1.5, org.assertj.core.data.Offset.offset(1e-9));
        long last = p.cost("gpu", 0, 100, 0, SECOND, 2 * SECOND);
        assertThat(p.measuredPerSecond("gpu")).isEqualTo(150.0);
        assertThat(last).as("100 tokens at $0.001 per 150 tokens").isEqualTo(666_667);
        assertThat(Prices.derived(gpu, 150.0)).isEqualByComparingTo(new BigDecimal("6.666666666666667"));
        assertThat(Prices.derived(gpu, 0)).as("nothing measured yet").isNull();
    }

    @Test
    void windowsAreTheUtcDayAndMonthAndResetAtTheirEnd() {
        Instant t = Instant.parse("2026-12-31T23:59:59Z");
        Period.Window day = Period.DAY.at(t);
        Period.Window month = Period.MONTH.at(t);
        assertThat(day.id()).isEqualTo("d:2026-12-31");
        assertThat(day.end()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(month.id()).isEqualTo("m:2026-12");
        assertThat(month.label()).isEqualTo("2026-12");
        assertThat(month.end()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(Period.DAY.at(Instant.parse("2027-01-01T00:00:00Z")).id()).isEqualTo("d:2027-01-01");
    }
}
