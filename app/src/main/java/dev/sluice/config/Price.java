package dev.sluice.config;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What one deployment's tokens cost, in US dollars per million tokens: the {@code price:} of a {@code model_list}
 * entry (docs/KEYS-AND-BUDGETS.md#prices).
 *
 * @param input per million input (prompt) tokens that were not read from the runtime's prompt cache
 * @param output per million output (completion) tokens; null when {@code gpuHour} derives it
 * @param cachedInput per million input tokens read from the prompt cache ({@code cached_tokens},
 *     {@code cache_read_input_tokens}); the input price when not given
 * @param gpuHour a local runtime's cost per GPU-hour: the output price is then derived from the output tokens per
 *     second the gateway measures for the deployment; null for a fixed output price
 */
public record Price(BigDecimal input, BigDecimal output, BigDecimal cachedInput, BigDecimal gpuHour) {
    public Price {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(cachedInput, "cachedInput");
        if ((output == null) == (gpuHour == null)) {
            throw new IllegalArgumentException("output: " + output + ", gpuHour: " + gpuHour
                    + " (expected: exactly one of them)");
        }
    }

    /** A fixed price; {@code cachedInput} null means the input price. */
    public static Price perMillion(BigDecimal input, BigDecimal output, BigDecimal cachedInput) {
        return new Price(input, output, cachedInput == null ? input : cachedInput, null);
    }

    public boolean derived() {
        return gpuHour != null;
    }
}
