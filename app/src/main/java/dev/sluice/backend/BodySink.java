package dev.sluice.backend;

import io.netty.buffer.ByteBuf;

/**
 * Receives an upstream response body. Calls arrive on the exchange's event loop. The sink owns each buffer
 * it is given and must release it.
 */
public interface BodySink {
    void onData(ByteBuf data);

    void onEnd();

    void onError(Throwable cause);
}
