package dev.sluice.backend;

import io.netty.channel.EventLoop;

/**
 * A request to send upstream.
 *
 * @param path path below the backend's base URL, e.g. {@code /chat/completions}
 * @param body JSON body, or null for GET
 * @param loop event loop to run the exchange on: the client connection's own, so no thread hop happens
 */
public record UpstreamCall(String method, String path, byte[] body, boolean stream, EventLoop loop) {}
