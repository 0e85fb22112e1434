package dev.sluice.config;

import java.util.Locale;

/** How a pool (the deployments sharing one {@code model_name}) picks a deployment for each request. */
public enum RoutingStrategy {
    /** Smooth weighted round-robin over the healthy deployments, by {@code weight}. LiteLLM: {@code simple-shuffle}. */
    WEIGHTED,
    /** The healthy deployment with the fewest requests in flight; ties broken by weight. LiteLLM: {@code least-busy}. */
    LEAST_IN_FLIGHT,
    /**
     * The less loaded of two healthy deployments drawn at random, by the load the runtime publishes (queue,
     * running batch, KV-cache use) or, where it publishes none, the gateway's in-flight count. LiteLLM: none.
     */
    LEAST_LOADED,
    /**
     * The same conversation to the same deployment (rendezvous hashing of a session key), so its prompt prefix is
     * found in that deployment's KV cache; spills to a less loaded one when its deployment is much busier.
     */
    PREFIX_AFFINITY;

    /** The spelling used in the config file. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RoutingStrategy parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "weighted", "simple_shuffle", "round_robin" -> WEIGHTED;
            case "least_in_flight", "least_busy" -> LEAST_IN_FLIGHT;
            case "least_loaded" -> LEAST_LOADED;
            case "prefix_affinity" -> PREFIX_AFFINITY;
            default -> throw new IllegalArgumentException("'" + value + "' is not a supported routing strategy"
                    + " (expected: weighted, least_in_flight, least_loaded or prefix_affinity; LiteLLM's"
                    + " simple-shuffle and least-busy are accepted)");
        };
    }
}
