package dev.sluice.config;

import java.util.Locale;

/** How a pool (the deployments sharing one {@code model_name}) picks a deployment for each request. */
public enum RoutingStrategy {
    /** Smooth weighted round-robin over the healthy deployments, by {@code weight}. LiteLLM: {@code simple-shuffle}. */
    WEIGHTED,
    /** The healthy deployment with the fewest requests in flight; ties broken by weight. LiteLLM: {@code least-busy}. */
    LEAST_IN_FLIGHT;

    /** The spelling used in the config file. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RoutingStrategy parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "weighted", "simple_shuffle", "round_robin" -> WEIGHTED;
            case "least_in_flight", "least_busy" -> LEAST_IN_FLIGHT;
            default -> throw new IllegalArgumentException("'" + value + "' is not a supported routing strategy"
                    + " (expected: weighted or least_in_flight; LiteLLM's simple-shuffle and least-busy are accepted)");
        };
    }
}
