package dev.sluice.routing;

import java.util.ArrayDeque;
import java.util.List;

/** The encoded events a stream has ready for its client, in order, not yet handed to the server. */
final class PendingEvents {
    private final ArrayDeque<byte[]> events = new ArrayDeque<>();

    void add(byte[] event) {
        events.add(event);
    }

    void addAll(List<byte[]> more) {
        events.addAll(more);
    }

    boolean isEmpty() {
        return events.isEmpty();
    }

    void clear() {
        events.clear();
    }

    /**
     * Everything that is ready, as one write: a runtime's read often holds many events, and each element handed to
     * the server's reactive body costs a demand round trip and a flush of its own.
     */
    byte[] takeAll() {
        if (events.size() == 1) {
            return events.poll();
        }
        int size = 0;
        for (byte[] b : events) {
            size += b.length;
        }
        byte[] all = new byte[size];
        int at = 0;
        for (byte[] b; (b = events.poll()) != null; ) {
            System.arraycopy(b, 0, all, at, b.length);
            at += b.length;
        }
        return all;
    }
}
