package dev.sluice.endpoint;

import dev.sluice.routing.StreamRelay;
import java.util.Map;
import org.reactivestreams.Publisher;

/** What the client gets when an exchange succeeded: a whole JSON body, or an event stream. */
public sealed interface Reply {
    record Json(byte[] body, Map<String, String> headers) implements Reply {}

    /** @param headers response headers besides the event-stream head */
    record Stream(StreamRelay events, Map<String, String> headers) implements Reply {}

    /**
     * A stream whose 200 went out while it still waited for a deployment ({@link QueuedStreams}): keep-alive
     * comments, then the answer's events or one error event in the client's dialect.
     */
    record Queued(Publisher<byte[]> events) implements Reply {}
}
