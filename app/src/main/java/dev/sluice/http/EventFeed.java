package dev.sluice.http;

import io.micronaut.core.io.buffer.ReadBufferFactory;
import io.micronaut.http.body.stream.BaseSharedBuffer;
import io.micronaut.http.body.stream.BufferConsumer;
import io.netty.channel.EventLoop;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Moves one stream's events into the server's streaming body, one event (or one batch of ready events) at a time,
 * asking for the next only while less than {@link #HIGH_WATER} bytes are handed over and not yet written to the
 * socket: the server reports written bytes only while the connection is writable, so a client that stops reading
 * stops the relay, which stops reading from the runtime (backpressure end to end, as the reactive path had it).
 * Everything runs on the client connection's event loop; events from another thread hop onto it, in order.
 */
final class EventFeed implements Subscriber<byte[]>, BufferConsumer.Upstream {
    /** Enough for a burst of events in one write; small enough that a stalled client holds little. */
    static final long HIGH_WATER = 64 * 1024;

    private final EventLoop loop;
    private final ReadBufferFactory buffers;
    /** Tasks sent to the loop and not yet run: while any is queued, later ones queue behind it to keep order. */
    private final AtomicInteger queued = new AtomicInteger();
    private BaseSharedBuffer sink;
    private Subscription subscription;
    private long unwritten;
    private boolean asked;
    private boolean unbounded;
    private boolean over;

    EventFeed(EventLoop loop, ReadBufferFactory buffers) {
        this.loop = loop;
        this.buffers = buffers;
    }

    void into(BaseSharedBuffer sink) {
        this.sink = sink;
    }

    @Override
    public void onSubscribe(Subscription s) {
        onLoop(() -> {
            subscription = s;
            ask();
        });
    }

    @Override
    public void onNext(byte[] event) {
        onLoop(() -> {
            asked = false;
            if (over) {
                return;
            }
            unwritten += event.length;
            sink.add(buffers.adapt(event));
            ask();
        });
    }

    @Override
    public void onError(Throwable t) {
        onLoop(() -> {
            if (!over) {
                over = true;
                sink.error(t);
            }
        });
    }

    @Override
    public void onComplete() {
        onLoop(() -> {
            if (!over) {
                over = true;
                sink.complete();
            }
        });
    }

    @Override
    public void onBytesConsumed(long bytes) {
        onLoop(() -> {
            unwritten -= bytes;
            ask();
        });
    }

    @Override
    public void allowDiscard() {
        // the server dropped the response (the connection closed): nobody will read what is left
        onLoop(() -> {
            if (!over) {
                over = true;
                if (subscription != null) {
                    subscription.cancel();
                }
            }
        });
    }

    @Override
    public void disregardBackpressure() {
        onLoop(() -> {
            unbounded = true;
            ask();
        });
    }

    private void ask() {
        if (!asked && !over && subscription != null && (unbounded || unwritten < HIGH_WATER)) {
            asked = true;
            subscription.request(1);
        }
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop() && queued.get() == 0) {
            task.run();
            return;
        }
        queued.incrementAndGet();
        loop.execute(() -> {
            queued.decrementAndGet();
            task.run();
        });
    }
}
