package dev.sluice.cache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One stored response.
 *
 * @param owner who may read it: the API key's principal, or "" when the gateway runs without keys
 * @param response the Response object as the client received it (JSON)
 * @param inputItems every input item of the turn, earlier turns' included (a JSON array): what a follow-up with
 *     {@code previous_response_id} continues from, together with the response's output
 */
public record StoredResponse(String id, String owner, byte[] response, byte[] inputItems) {

    /** Bytes this entry keeps in memory, for the store's bound. */
    public long size() {
        return id.length() * 2L + owner.length() * 2L + response.length + inputItems.length + 64;
    }

    /** {@code [len owner][owner][len response][response][items]}, for Redis. */
    byte[] encode() {
        byte[] o = owner.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + o.length + response.length + inputItems.length);
        b.putInt(o.length).put(o).putInt(response.length).put(response).put(inputItems);
        return b.array();
    }

    static StoredResponse decode(String id, byte[] bytes) {
        if (bytes == null || bytes.length < 8) {
            return null;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            byte[] o = new byte[b.getInt()];
            b.get(o);
            byte[] r = new byte[b.getInt()];
            b.get(r);
            byte[] items = new byte[b.remaining()];
            b.get(items);
            return new StoredResponse(id, new String(o, StandardCharsets.UTF_8), r, items);
        } catch (RuntimeException e) {
            return null; // a foreign or truncated value is a miss, not an error
        }
    }
}
