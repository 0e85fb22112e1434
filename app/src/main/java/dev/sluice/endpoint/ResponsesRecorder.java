package dev.sluice.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.StreamAnswer;
import dev.sluice.protocol.StreamTranslator;
import dev.sluice.protocol.StreamUsage;
import dev.sluice.protocol.sse.SseDecoder;
import dev.sluice.protocol.sse.SseEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Watches a Responses stream for its terminal event and hands the finished Response object to the store.
 * Only the terminal event is parsed; every event passes unchanged. A failed response is not stored.
 */
final class ResponsesRecorder implements StreamTranslator {
    private final StreamTranslator inner;
    private final Consumer<JsonNode> completed;
    private boolean recorded;

    ResponsesRecorder(StreamTranslator inner, Consumer<JsonNode> completed) {
        this.inner = inner;
        this.completed = completed;
    }

    @Override
    public void onEvent(SseEvent event, List<byte[]> out) {
        int from = out.size();
        inner.onEvent(event, out);
        watch(out, from);
    }

    @Override
    public void onEnd(List<byte[]> out) {
        int from = out.size();
        inner.onEnd(out);
        watch(out, from);
    }

    @Override
    public void onError(GatewayException error, List<byte[]> out) {
        inner.onError(error, out);
    }

    private void watch(List<byte[]> out, int from) {
        if (recorded || !inner.terminated() || inner.failed() || out.size() <= from) {
            return;
        }
        recorded = true;
        List<SseEvent> events = new ArrayList<>();
        SseDecoder decoder = new SseDecoder(Integer.MAX_VALUE);
        decoder.feed(out.getLast(), events);
        decoder.finish(events);
        for (SseEvent e : events) {
            JsonNode n = e.data() == null ? null : Json.tryParse(e.data());
            String type = n == null ? "" : n.path("type").asText();
            if ((type.equals("response.completed") || type.equals("response.incomplete"))
                    && n.path("response").isObject()) {
                completed.accept(n.path("response"));
            }
        }
    }

    @Override
    public boolean terminated() {
        return inner.terminated();
    }

    @Override
    public boolean failed() {
        return inner.failed();
    }

    @Override
    public byte[] keepAlive() {
        return inner.keepAlive();
    }

    @Override
    public StreamUsage usage() {
        return inner.usage();
    }

    @Override
    public boolean sawContent() {
        return inner.sawContent();
    }

    @Override
    public StreamAnswer answer() {
        return inner.answer();
    }
}
