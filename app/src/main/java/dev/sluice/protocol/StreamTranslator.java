package dev.sluice.protocol;

import dev.sluice.error.GatewayException;
import dev.sluice.protocol.sse.SseEvent;
import java.util.List;

/**
 * Turns one upstream event stream into the client's event stream. A pure, per-response state machine:
 * events in, encoded events out, no I/O and no clock. Not thread-safe: one instance per response.
 */
public interface StreamTranslator {
    /** Handles one upstream event, appending zero or more encoded client events to {@code out}. */
    void onEvent(SseEvent event, List<byte[]> out);

    /** The upstream body ended. Emits the closing events, or an error event if the stream was cut short. */
    void onEnd(List<byte[]> out);

    /** The exchange failed after the client got its 200: emits the dialect's explicit error terminal. */
    void onError(GatewayException error, List<byte[]> out);

    /** A terminal event (normal or error) has been emitted; nothing follows it. */
    boolean terminated();

    /** The stream ended with an error event. */
    boolean failed();

    /** Bytes sent while the backend is silent, so proxies and clients do not drop the connection. */
    byte[] keepAlive();

    /** Token counts seen so far (from the backend's usage, or estimated). */
    StreamUsage usage();

    /** Whether the first content-bearing event has been emitted (for time to first token). */
    boolean sawContent();

    /** What the runtime's events said of the answer so far (its model, finish reasons), for the spans. */
    StreamAnswer answer();
}
