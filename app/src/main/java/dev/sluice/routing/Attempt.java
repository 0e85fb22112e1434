package dev.sluice.routing;

import dev.sluice.backend.UpstreamCall;

/**
 * One try of a request on one deployment: the call to send and what the caller prepared for that deployment
 * (its translated request, typed by the caller), which it gets back with the result.
 */
public record Attempt<P>(Upstream upstream, UpstreamCall call, P prepared) {

    /** Builds the attempt for a deployment; throws a {@link dev.sluice.error.GatewayException} for bad input. */
    @FunctionalInterface
    public interface Factory<P> {
        Attempt<P> create(Upstream upstream);
    }
}
