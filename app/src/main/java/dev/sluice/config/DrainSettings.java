package dev.sluice.config;

import java.time.Duration;

/**
 * What the gateway does between SIGTERM and exit (docs/OPERATIONS.md, "Graceful drain").
 *
 * @param delay DRAIN_DELAY_S: how long after SIGTERM new connections are still accepted while {@code /readyz} already
 *     answers 503, so load balancers that poll readiness take the replica out before it stops listening; capped at
 *     {@code timeout}
 * @param timeout DRAIN_TIMEOUT_S: the whole budget from SIGTERM; in-flight requests and streams run until then, and a
 *     stream still open at that moment ends with an explicit error event in its dialect
 */
public record DrainSettings(Duration delay, Duration timeout) {
    public static final int DEFAULT_DELAY_S = 5;
    public static final int DEFAULT_TIMEOUT_S = 30;

    public DrainSettings {
        if (delay.compareTo(timeout) > 0) {
            delay = timeout;
        }
    }

    public static DrainSettings defaults() {
        return new DrainSettings(Duration.ofSeconds(DEFAULT_DELAY_S), Duration.ofSeconds(DEFAULT_TIMEOUT_S));
    }
}
