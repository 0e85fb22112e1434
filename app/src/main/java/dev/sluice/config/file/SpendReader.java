package dev.sluice.config.file;

import dev.sluice.config.Budget;
import dev.sluice.config.Price;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Reads prices and budgets (docs/KEYS-AND-BUDGETS.md): a {@code model_list} entry's {@code price:} (US dollars per
 * million tokens, or a GPU-hour cost), LiteLLM's per-token costs in its {@code params} when it has no
 * {@code price:}, and the {@code budget:} of an alias or a key.
 */
final class SpendReader {
    static final List<String> PRICE_KEYS = List.of("input", "output", "cached_input", "gpu_hour");
    static final List<String> BUDGET_KEYS = List.of("daily", "monthly");
    /** LiteLLM's custom pricing in {@code litellm_params}, in dollars per token. */
    static final List<String> LITELLM_PRICE_KEYS = List.of("input_cost_per_token", "output_cost_per_token",
            "cache_read_input_token_cost");
    private static final String PRICE_EXAMPLE = "price: {input: 0.15, output: 0.60}";
    private static final String BUDGET_EXAMPLE = "budget: {daily: 5, monthly: 100}";

    private SpendReader() {}

    /** The entry's price: its {@code price:}, else LiteLLM's per-token costs in {@code params}; null when none. */
    static Price price(Map<String, Object> entry, Map<String, Object> params, String path, String paramsPath,
            ConfigReader r) {
        boolean litellm = LITELLM_PRICE_KEYS.stream().anyMatch(params::containsKey);
        if (entry.get("price") != null) {
            if (litellm) {
                r.warn(paramsPath, "has LiteLLM per-token costs and the entry has price:; the costs are ignored");
            }
            return price(entry.get("price"), ConfigReader.key(path, "price"), r);
        }
        return litellm ? litellmPrice(params, paramsPath, r) : null;
    }

    private static Price price(Object value, String path, ConfigReader r) {
        Map<String, Object> m = r.map(value, path, PRICE_EXAMPLE);
        if (m == null) {
            return null;
        }
        int before = r.errorCount();
        r.unknownKeys(m, path, PRICE_KEYS, "price keys");
        String perMillion = ", per million tokens";
        BigDecimal input = r.money(m.get("input"), ConfigReader.key(path, "input"), false, perMillion);
        BigDecimal output = r.money(m.get("output"), ConfigReader.key(path, "output"), false, perMillion);
        BigDecimal cached = r.money(m.get("cached_input"), ConfigReader.key(path, "cached_input"), false, perMillion);
        BigDecimal gpuHour = r.money(m.get("gpu_hour"), ConfigReader.key(path, "gpu_hour"), true,
                ", the runtime's cost per GPU-hour");
        if (m.get("output") != null && m.get("gpu_hour") != null) {
            r.error(path, "has both output and gpu_hour (expected one: a fixed output price, or gpu_hour to derive it"
                    + " from the measured output tokens per second)");
        } else if (m.get("output") == null && m.get("gpu_hour") == null) {
            r.error(ConfigReader.key(path, "output"), "missing (expected the price per million output tokens, e.g. "
                    + PRICE_EXAMPLE + ", or gpu_hour: 2.50 for a local runtime)");
        } else if (m.get("output") != null && m.get("input") == null) {
            r.error(ConfigReader.key(path, "input"), "missing (expected the price per million input tokens, e.g. "
                    + PRICE_EXAMPLE + ")");
        }
        if (r.errorCount() > before) {
            return null;
        }
        BigDecimal in = input == null ? BigDecimal.ZERO : input;
        return gpuHour != null ? new Price(in, null, cached == null ? in : cached, gpuHour)
                : Price.perMillion(in, output, cached);
    }

    private static Price litellmPrice(Map<String, Object> params, String paramsPath, ConfigReader r) {
        int before = r.errorCount();
        BigDecimal[] perToken = new BigDecimal[LITELLM_PRICE_KEYS.size()];
        for (int i = 0; i < perToken.length; i++) {
            String k = LITELLM_PRICE_KEYS.get(i);
            perToken[i] = r.money(params.get(k), ConfigReader.key(paramsPath, k), false, ", per token");
        }
        if (perToken[1] == null && r.errorCount() == before) {
            r.error(ConfigReader.key(paramsPath, "output_cost_per_token"), "missing (with input_cost_per_token,"
                    + " give both; or write price: {input: ..., output: ...} per million tokens)");
        }
        if (r.errorCount() > before) {
            return null;
        }
        BigDecimal in = perToken[0] == null ? BigDecimal.ZERO : perToken[0].movePointRight(6);
        return Price.perMillion(in, perToken[1].movePointRight(6),
                perToken[2] == null ? null : perToken[2].movePointRight(6));
    }

    /** {@code budget: {daily: 5, monthly: 100}}, in US dollars, each above 0; null when absent or bad. */
    static Budget budget(Object value, String path, ConfigReader r) {
        if (value == null) {
            return null;
        }
        Map<String, Object> m = r.map(value, path, BUDGET_EXAMPLE);
        if (m == null) {
            return null;
        }
        int before = r.errorCount();
        r.unknownKeys(m, path, BUDGET_KEYS, "budget keys");
        BigDecimal daily = r.money(m.get("daily"), ConfigReader.key(path, "daily"), true, " per UTC day");
        BigDecimal monthly = r.money(m.get("monthly"), ConfigReader.key(path, "monthly"), true, " per UTC month");
        if (m.get("daily") == null && m.get("monthly") == null) {
            r.error(path, "names no budget (expected daily, monthly or both, in US dollars, e.g. " + BUDGET_EXAMPLE
                    + ")");
        }
        return r.errorCount() > before ? null : new Budget(daily, monthly);
    }
}
