package dev.sluice.cache;

import java.util.ArrayList;
import java.util.List;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A stream as the client sees it, keeping a copy of every event (keep-alive comments left out) until the copy
 * passes the per-entry limit (CACHE_MAX_ENTRY_KB): then the copy is dropped and recording stops, so a long stream
 * costs the cache nothing more than its relay (issue 13: every event used to be kept, in a list with no bound).
 * The client gets every event either way.
 */
final class Recording implements Publisher<byte[]> {
    private final Publisher<byte[]> relay;
    private final long maxBytes;
    private final List<byte[]> events = new ArrayList<>();
    private long bytes;
    private boolean overLimit;

    Recording(Publisher<byte[]> relay, long maxBytes) {
        this.relay = relay;
        this.maxBytes = maxBytes;
    }

    /** The events recorded, or null when the stream passed the limit. */
    synchronized List<byte[]> events() {
        return overLimit ? null : List.copyOf(events);
    }

    private synchronized void record(byte[] b) {
        if (overLimit || b.length == 0 || b[0] == ':') {
            return;
        }
        bytes += 24L + b.length;
        if (bytes > maxBytes) {
            overLimit = true;
            events.clear();
            return;
        }
        events.add(b);
    }

    @Override
    public void subscribe(Subscriber<? super byte[]> s) {
        relay.subscribe(new Subscriber<>() {
            @Override
            public void onSubscribe(Subscription sub) {
                s.onSubscribe(sub);
            }

            @Override
            public void onNext(byte[] b) {
                record(b);
                s.onNext(b);
            }

            @Override
            public void onError(Throwable t) {
                s.onError(t);
            }

            @Override
            public void onComplete() {
                s.onComplete();
            }
        });
    }
}
