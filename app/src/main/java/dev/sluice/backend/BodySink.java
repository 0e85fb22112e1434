package dev.sluice.backend;

import io.netty.buffer.ByteBuf;

/**
 * Receives an upstream response body. Calls arrive on the exchange's event loop. The sink owns each buffer
 * it is given and must release it.
 */
public interface BodySink {
    /**
     * The default bound of a body gathered whole (MAX_UPSTREAM_BODY_BYTES): 16 MiB, a sixteenth of the default
     * 256 MiB heap, because a buffered answer is held up to four times at once (the buffers, a byte array, its
     * JSON tree, the client's bytes), and a few may be in flight together.
     */
    int DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

    void onData(ByteBuf data);

    void onEnd();

    void onError(Throwable cause);

    /**
     * Reads the rest of {@code ex}'s body and drops it, so its connection goes back to the pool; {@code done} is told
     * true at the body's end, false on an error.
     */
    static BodySink discarding(UpstreamExchange ex, java.util.function.Consumer<Boolean> done) {
        return new BodySink() {
            @Override
            public void onData(ByteBuf data) {
                data.release();
                ex.read();
            }

            @Override
            public void onEnd() {
                done.accept(true);
            }

            @Override
            public void onError(Throwable cause) {
                done.accept(false);
            }
        };
    }
}
