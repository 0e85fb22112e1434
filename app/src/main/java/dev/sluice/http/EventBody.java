package dev.sluice.http;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.netty.channel.EventLoop;
import org.reactivestreams.Publisher;

/**
 * An event stream handed to the server as one streaming body, written by {@link EventBodyWriter}. A
 * {@code Publisher} body takes Micronaut's generic path instead: each element becomes a body of its own and the
 * elements are concatenated by a reactive operator, which profiling (docs/PERFORMANCE.md) showed to be about half of
 * the relay's CPU per chunk. Only over a Netty connection: the Lambda adapter buffers the whole answer anyway.
 *
 * @param loop the client connection's event loop: what the body's buffer and the connection's writer run on
 */
record EventBody(Publisher<byte[]> events, EventLoop loop) {

    /** Swaps an event-stream response's {@code Publisher} body for the direct path, when the client is on Netty. */
    @SuppressWarnings("unchecked")
    static void direct(HttpRequest<?> request, MutableHttpResponse<?> response) {
        if (response.body() instanceof Publisher<?> events && request instanceof NettyHttpRequest<?> netty
                && response.getContentType().map(MediaType.TEXT_EVENT_STREAM_TYPE::matches).orElse(false)) {
            ((MutableHttpResponse<Object>) response).body(new EventBody((Publisher<byte[]>) events,
                    netty.getChannelHandlerContext().channel().eventLoop()));
        }
    }
}
