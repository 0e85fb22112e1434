package dev.sluice.http;

import dev.sluice.endpoint.RequestBodies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;

/**
 * A request body as the controller receives it from Netty (off the heap), checked against the request caps before
 * it is copied onto the heap: a JSON bomb is refused after one streaming read and never becomes a {@code byte[]}.
 */
final class BodyBytes {
    private BodyBytes() {}

    /** The body's bytes, or null for none; a 400 or 413 {@link dev.sluice.error.GatewayException} over a cap. */
    static byte[] of(ByteBuf body, RequestBodies bodies) {
        if (body == null) {
            return null;
        }
        try {
            if (!body.isReadable()) {
                return null;
            }
            bodies.checkCost(new ByteBufInputStream(body.duplicate()));
            return ByteBufUtil.getBytes(body);
        } finally {
            body.release(); // a ByteBuf bound with @Body belongs to the controller
        }
    }
}
