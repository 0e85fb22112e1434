package dev.sluice.backend;

import io.netty.channel.EventLoop;

/**
 * A request to send upstream.
 *
 * @param path path below the backend's base URL (e.g. {@code /chat/completions}), or below the server root
 *     when {@code rootRelative} (vLLM's {@code /tokenize} and TGI's {@code /chat_tokenize} live there)
 * @param body JSON body, or null for GET
 * @param loop event loop to run the exchange on: the client connection's own, so no thread hop happens
 * @param headers extra request headers for this call (an Anthropic client's {@code anthropic-beta}), lower-case names
 */
public record UpstreamCall(String method, String path, byte[] body, boolean stream, EventLoop loop,
        boolean rootRelative, java.util.Map<String, String> headers) {

    public UpstreamCall {
        headers = headers == null ? java.util.Map.of() : java.util.Map.copyOf(headers);
    }

    public UpstreamCall(String method, String path, byte[] body, boolean stream, EventLoop loop) {
        this(method, path, body, stream, loop, false);
    }

    public UpstreamCall(String method, String path, byte[] body, boolean stream, EventLoop loop,
            boolean rootRelative) {
        this(method, path, body, stream, loop, rootRelative, java.util.Map.of());
    }

    /** This call with {@code extra} headers added (a trace context for the runtime); itself when there are none. */
    public UpstreamCall withHeaders(java.util.Map<String, String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        java.util.Map<String, String> all = new java.util.HashMap<>(headers);
        all.putAll(extra);
        return new UpstreamCall(method, path, body, stream, loop, rootRelative, all);
    }
}
