package dev.sluice.routing;

import dev.sluice.backend.UpstreamCall;

/**
 * One try of a request on one deployment: the call to send and whatever the caller prepared for that
 * deployment (its translated request), which it gets back with the result.
 */
public record Attempt(Upstream upstream, UpstreamCall call, Object context) {

    /** Builds the attempt for a deployment; throws a {@link dev.sluice.error.GatewayException} for bad input. */
    @FunctionalInterface
    public interface Factory {
        Attempt create(Upstream upstream);
    }
}
