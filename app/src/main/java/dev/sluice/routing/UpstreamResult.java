package dev.sluice.routing;

import java.util.Map;

/**
 * A complete, successful upstream response.
 *
 * @param attempt the attempt that produced it (its deployment and prepared request); null for direct calls
 */
public record UpstreamResult<P>(int status, Map<String, String> headers, byte[] body, Attempt<P> attempt) {}
