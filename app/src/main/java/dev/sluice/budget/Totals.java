package dev.sluice.budget;

/**
 * What was spent in one window by one key or alias, or what one request adds to it.
 *
 * @param nanos US dollars in nano-dollars ({@link dev.sluice.config.Money})
 * @param cached of the input tokens, those read from the runtime's prompt cache
 * @param requests the requests charged
 */
record Totals(long nanos, long input, long output, long cached, long requests) {
    static final Totals ZERO = new Totals(0, 0, 0, 0, 0);

    Totals plus(Totals o) {
        return new Totals(nanos + o.nanos, input + o.input, output + o.output, cached + o.cached,
                requests + o.requests);
    }
}
