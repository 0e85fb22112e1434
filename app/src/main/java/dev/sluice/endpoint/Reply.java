package dev.sluice.endpoint;

import dev.sluice.routing.StreamRelay;
import java.util.Map;

/** What the client gets when an exchange succeeded: a whole JSON body, or an event stream. */
public sealed interface Reply {
    record Json(byte[] body, Map<String, String> headers) implements Reply {}

    record Stream(StreamRelay events) implements Reply {}
}
