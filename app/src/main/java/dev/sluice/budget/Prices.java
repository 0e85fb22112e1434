package dev.sluice.budget;

import dev.sluice.config.Money;
import dev.sluice.config.Price;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a request's tokens cost on the deployment that served it. A {@code gpu_hour} price has its output price
 * derived from the output tokens per second this gateway measures for the deployment ({@link Throughput}): the
 * GPU's cost per second divided by what it produces per second, so a busy hour's spend comes to about the GPU-hour
 * cost whatever the batch size.
 */
final class Prices {
    /** After this much measured busy time the counts are halved: the rate follows the runtime within minutes. */
    static final long WINDOW_NANOS = 600_000_000_000L;
    private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);

    private volatile Map<String, Price> prices;
    private final Map<String, Throughput> measured = new ConcurrentHashMap<>();

    Prices(Map<String, Price> prices) {
        this.prices = Map.copyOf(prices);
    }

    /** A reloaded config file's prices, for the requests that end from now on; measurements stay. */
    void reload(Map<String, Price> next) {
        this.prices = Map.copyOf(next);
    }

    Map<String, Price> all() {
        return prices;
    }

    /**
     * The nano-dollars a request cost: uncached input at the input price, cached input at the cached price, output at
     * the output price (for {@code gpu_hour}, derived after counting this request's output and time).
     *
     * @param deployment the deployment that answered; null (a cache hit) or one without a price costs nothing
     */
    long cost(String deployment, long input, long output, long cached, long startNanos, long endNanos) {
        Price p = deployment == null ? null : prices.get(deployment);
        if (p == null) {
            return 0;
        }
        BigDecimal outputPrice = p.output();
        if (p.derived()) {
            Throughput t = measured.computeIfAbsent(deployment, d -> new Throughput());
            t.observe(startNanos, endNanos, output);
            outputPrice = derived(p, t.perSecond());
        }
        long fromCache = Math.min(Math.max(0, cached), Math.max(0, input));
        return Money.cost(input - fromCache, p.input()) + Money.cost(fromCache, p.cachedInput())
                + Money.cost(output, outputPrice);
    }

    /** The measured output tokens per second of a {@code gpu_hour} deployment; 0 before anything is measured. */
    double measuredPerSecond(String deployment) {
        Throughput t = measured.get(deployment);
        return t == null ? 0 : t.perSecond();
    }

    /** US dollars per million output tokens: the GPU's cost per second over its tokens per second; null unmeasured. */
    static BigDecimal derived(Price p, double tokensPerSecond) {
        if (!(tokensPerSecond > 0)) {
            return null;
        }
        return p.gpuHour().movePointRight(6).divide(SECONDS_PER_HOUR.multiply(new BigDecimal(tokensPerSecond,
                MathContext.DECIMAL64)), MathContext.DECIMAL64);
    }

    /**
     * Output tokens per second of busy time, busy meaning at least one of this gateway's requests was in flight on the
     * deployment. Requests are counted as they end: the time a request adds is the part of its span after the end of
     * every request counted before it, so overlapping requests count their overlap once (a gap that a longer, earlier
     * request covered is missed: busy time errs low, the rate high, the price low). Each replica measures its own
     * requests.
     */
    static final class Throughput {
        private long busyNanos;
        private long tokens;
        private long busyUntil = Long.MIN_VALUE;

        synchronized void observe(long startNanos, long endNanos, long outputTokens) {
            long from = busyUntil == Long.MIN_VALUE ? startNanos : Math.max(startNanos, busyUntil);
            if (endNanos > from) {
                busyNanos += endNanos - from;
            }
            busyUntil = busyUntil == Long.MIN_VALUE ? endNanos : Math.max(busyUntil, endNanos);
            tokens += Math.max(0, outputTokens);
            if (busyNanos > WINDOW_NANOS) {
                busyNanos /= 2;
                tokens /= 2;
            }
        }

        synchronized double perSecond() {
            return busyNanos <= 0 ? 0 : tokens * 1e9 / busyNanos;
        }
    }
}
