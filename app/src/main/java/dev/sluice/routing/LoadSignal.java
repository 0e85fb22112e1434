package dev.sluice.routing;

/**
 * What a runtime last said about its load: requests it is running, requests queued behind them, and how full its
 * KV cache is. Any part the runtime does not publish is {@code NaN}.
 *
 * @param running requests in the running batch (vLLM {@code num_requests_running}, TGI {@code batch_current_size})
 * @param waiting requests queued for a batch slot (vLLM {@code num_requests_waiting}, TGI {@code queue_size})
 * @param cacheUsage KV-cache use in [0, 1] (vLLM {@code kv_cache_usage_perc}, SGLang {@code token_usage})
 * @param atNanos when it was read ({@link System#nanoTime()})
 * @param inFlightAtRead the gateway's own in-flight count at that moment, so that requests sent since can be added
 * @param capacity how many requests it runs at once (llama.cpp's slot count from {@code /slots}); {@code NaN} where
 *     the runtime does not say (vLLM, SGLang and TGI publish no maximum on {@code /metrics})
 */
public record LoadSignal(double running, double waiting, double cacheUsage, long atNanos, int inFlightAtRead,
        double capacity) {

    /** A reading that says nothing about capacity. */
    public LoadSignal(double running, double waiting, double cacheUsage, long atNanos, int inFlightAtRead) {
        this(running, waiting, cacheUsage, atNanos, inFlightAtRead, Double.NaN);
    }

    /** True when the page carried no load metric at all (a runtime started without them, another product). */
    public boolean empty() {
        return Double.isNaN(running) && Double.isNaN(waiting) && Double.isNaN(cacheUsage);
    }
}
