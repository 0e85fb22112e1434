package dev.sluice.http;

import dev.sluice.endpoint.RequestBodies;
import io.micronaut.core.io.buffer.ByteBuffer;
import io.micronaut.core.io.buffer.ReferenceCounted;
import io.micronaut.http.HttpRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayInputStream;

/**
 * A request body as the controller receives it, checked against the request caps before it is copied onto the heap.
 * Over Netty the body is still the network buffers (off the heap): a JSON bomb is refused after one streaming read and
 * never becomes a {@code byte[]}. Elsewhere (the Lambda adapter) the body already is an array.
 */
final class BodyBytes {
    private BodyBytes() {}

    /**
     * The body's bytes, or null for none; a 400 or 413 {@link dev.sluice.error.GatewayException} over a cap.
     *
     * @param body the body bound as a buffer; null where the runtime binds none (the Lambda adapter), then the
     *     request's body is read as bytes
     */
    static byte[] of(HttpRequest<?> request, ByteBuffer<?> body, RequestBodies bodies) {
        if (body == null) {
            byte[] bytes = request.getBody(byte[].class).orElse(null);
            if (bytes != null && bytes.length > 0) {
                bodies.checkCost(new ByteArrayInputStream(bytes), bytes.length);
            }
            return bytes;
        }
        try {
            if (body.readableBytes() == 0) {
                return null;
            }
            if (body.asNativeBuffer() instanceof ByteBuf buf) {
                bodies.checkCost(new ByteBufInputStream(buf.duplicate()), buf.readableBytes());
                return ByteBufUtil.getBytes(buf);
            }
            byte[] bytes = body.toByteArray();
            bodies.checkCost(new ByteArrayInputStream(bytes), bytes.length);
            return bytes;
        } finally {
            if (body instanceof ReferenceCounted rc) {
                rc.release(); // a buffer bound with @Body belongs to the controller
            }
        }
    }
}
