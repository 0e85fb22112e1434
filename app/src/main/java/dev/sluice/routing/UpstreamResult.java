package dev.sluice.routing;

import java.util.Map;

/** A complete, successful upstream response. */
public record UpstreamResult(int status, Map<String, String> headers, byte[] body) {}
