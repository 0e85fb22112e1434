package dev.sluice.translate;

import dev.sluice.error.GatewayException;
import dev.sluice.protocol.StreamAnswer;
import dev.sluice.protocol.StreamTranslator;
import dev.sluice.protocol.StreamUsage;
import dev.sluice.protocol.sse.SseDecoder;
import dev.sluice.protocol.sse.SseEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Two translators in a row, for a pair that has no direct translator: the first's events are decoded and fed
 * to the second (a Responses client in front of the Anthropic API runs Anthropic → chat → Responses). The
 * client sees only the second's events, so its terminal rules hold. Not thread-safe: one instance per response.
 */
public final class ChainedStream implements StreamTranslator {
    private final StreamTranslator first;
    private final StreamTranslator second;
    private final SseDecoder decoder = new SseDecoder(Integer.MAX_VALUE);
    private final List<byte[]> between = new ArrayList<>();
    private final List<SseEvent> events = new ArrayList<>();

    public ChainedStream(StreamTranslator first, StreamTranslator second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public void onEvent(SseEvent event, List<byte[]> out) {
        first.onEvent(event, between);
        pass(out);
    }

    @Override
    public void onEnd(List<byte[]> out) {
        if (!first.terminated()) {
            first.onEnd(between);
        }
        pass(out);
        decoder.finish(events);
        for (SseEvent e : events) {
            second.onEvent(e, out);
        }
        events.clear();
        if (!second.terminated()) {
            second.onEnd(out);
        }
    }

    @Override
    public void onError(GatewayException error, List<byte[]> out) {
        if (!second.terminated()) {
            second.onError(error, out);
        }
    }

    private void pass(List<byte[]> out) {
        for (byte[] b : between) {
            decoder.feed(b, events);
        }
        between.clear();
        for (SseEvent e : events) {
            second.onEvent(e, out);
        }
        events.clear();
    }

    @Override
    public boolean terminated() {
        return second.terminated();
    }

    @Override
    public boolean failed() {
        return second.failed();
    }

    @Override
    public byte[] keepAlive() {
        return second.keepAlive();
    }

    @Override
    public StreamUsage usage() {
        return second.usage();
    }

    @Override
    public boolean sawContent() {
        return second.sawContent();
    }

    /** The first reads the runtime's own events, as a JSON answer's spans do. */
    @Override
    public StreamAnswer answer() {
        return first.answer();
    }
}
