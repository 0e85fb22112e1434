package dev.sluice.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A complete 200 answer as the client received it: the JSON body, or for a stream the encoded SSE events in
 * order (ending with {@code [DONE]} or {@code message_stop}).
 *
 * @param storedAtMillis when it was stored, for the Age header
 */
public record CachedAnswer(boolean stream, byte[] body, List<byte[]> events, long storedAtMillis) {
    private static final int MAGIC = 0x534c4331; // "SLC1"

    public CachedAnswer {
        body = body == null ? new byte[0] : body;
        events = List.copyOf(events);
    }

    /** About what it holds in memory: its bytes plus a small overhead per event (array header, list slot). */
    public long size() {
        long n = 64L + body.length;
        for (byte[] e : events) {
            n += 24L + e.length;
        }
        return n;
    }

    /** A compact binary form for Redis. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeBoolean(stream);
            out.writeLong(storedAtMillis);
            out.writeInt(body.length);
            out.write(body);
            out.writeInt(events.size());
            for (byte[] e : events) {
                out.writeInt(e.length);
                out.write(e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The answer {@link #encode()} wrote, or null for anything else. */
    public static CachedAnswer decode(byte[] data) {
        if (data == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            if (in.readInt() != MAGIC) {
                return null;
            }
            boolean stream = in.readBoolean();
            long at = in.readLong();
            byte[] body = in.readNBytes(in.readInt());
            int n = in.readInt();
            List<byte[]> events = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                events.add(in.readNBytes(in.readInt()));
            }
            return new CachedAnswer(stream, body, events, at);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
