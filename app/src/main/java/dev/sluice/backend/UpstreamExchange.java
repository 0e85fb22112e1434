package dev.sluice.backend;

import io.netty.channel.EventLoop;
import java.util.Map;

/**
 * One upstream response whose headers have arrived. The body is pulled: nothing more is read from the
 * backend until the consumer calls {@link #read()}, so a slow client slows the backend instead of filling
 * memory. Every method must be called on {@link #eventLoop()}.
 */
public interface UpstreamExchange {
    int status();

    /** Response headers, names lower-cased. */
    Map<String, String> headers();

    EventLoop eventLoop();

    void setSink(BodySink sink);

    /** Asks for the next piece of the body; a no-op once the body has ended. */
    void read();

    /** Abandons the response and closes the upstream connection at once, so the runtime stops generating. */
    void abort();

    default String contentType() {
        String ct = headers().get("content-type");
        return ct == null ? "" : ct;
    }

    default boolean isEventStream() {
        return contentType().startsWith("text/event-stream");
    }

    default boolean isSuccess() {
        return status() >= 200 && status() < 300;
    }
}
