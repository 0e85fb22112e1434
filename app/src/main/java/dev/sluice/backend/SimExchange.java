package dev.sluice.backend;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** A simulated response: a list of body pieces, each due at an offset from the start, paced on an event loop. */
final class SimExchange implements UpstreamExchange {
    /** One body piece and when it is due, in nanoseconds after the exchange started. */
    record Piece(long dueNanos, byte[] bytes) {}

    private final int status;
    private final Map<String, String> headers;
    private final List<Piece> pieces;
    private final EventLoop loop;
    private final long start = System.nanoTime();
    private BodySink sink;
    private int next;
    private boolean scheduled;
    private boolean finished;
    private ScheduledFuture<?> timer;

    SimExchange(int status, String contentType, List<Piece> pieces, EventLoop loop) {
        this.status = status;
        this.headers = Map.of("content-type", contentType);
        this.pieces = pieces;
        this.loop = loop;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public Map<String, String> headers() {
        return headers;
    }

    @Override
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public void setSink(BodySink sink) {
        this.sink = sink;
    }

    @Override
    public void read() {
        if (finished || scheduled) {
            return;
        }
        scheduled = true;
        long wait = next < pieces.size() ? pieces.get(next).dueNanos() - (System.nanoTime() - start) : 0;
        if (wait <= 0) {
            loop.execute(this::emit);
        } else {
            timer = loop.schedule(this::emit, wait, TimeUnit.NANOSECONDS);
        }
    }

    private void emit() {
        scheduled = false;
        if (finished) {
            return;
        }
        if (next >= pieces.size()) {
            finished = true;
            sink.onEnd();
            return;
        }
        byte[] bytes = pieces.get(next++).bytes();
        if (next >= pieces.size()) {
            finished = true;
            sink.onData(Unpooled.wrappedBuffer(bytes));
            sink.onEnd();
            return;
        }
        sink.onData(Unpooled.wrappedBuffer(bytes));
    }

    @Override
    public void abort() {
        finished = true;
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
