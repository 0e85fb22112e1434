package dev.sluice.endpoint;

import dev.sluice.routing.StreamRelay;
import java.util.Map;

/** What the client gets when an exchange succeeded: a whole JSON body, or an event stream. */
public sealed interface Reply {
    record Json(byte[] body, Map<String, String> headers) implements Reply {}

    /** @param headers response headers besides the event-stream head */
    record Stream(StreamRelay events, Map<String, String> headers) implements Reply {}
}
