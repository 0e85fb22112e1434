package dev.sluice.config;

import java.util.Map;

/**
 * The config file's prices and alias budgets (docs/KEYS-AND-BUDGETS.md): the {@code price:} and {@code budget:} keys
 * of the {@code model_list} entries. Key budgets live on the keys ({@link NamedKey#budget()}).
 *
 * @param prices by deployment id; a deployment without one costs nothing
 * @param budgets by alias
 */
public record SpendSettings(Map<String, Price> prices, Map<String, Budget> budgets) {
    public SpendSettings {
        prices = Map.copyOf(prices);
        budgets = Map.copyOf(budgets);
    }

    public static SpendSettings none() {
        return new SpendSettings(Map.of(), Map.of());
    }
}
