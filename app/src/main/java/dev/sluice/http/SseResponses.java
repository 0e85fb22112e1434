package dev.sluice.http;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import org.reactivestreams.Publisher;

/** The head of every event-stream response. */
final class SseResponses {
    private SseResponses() {}

    static MutableHttpResponse<?> of(Publisher<byte[]> events) {
        return HttpResponse.ok(events)
                .contentType(MediaType.TEXT_EVENT_STREAM_TYPE)
                .header("Cache-Control", "no-cache")
                // nginx buffers proxied responses unless told not to (scm-manager#1650)
                .header("X-Accel-Buffering", "no");
    }
}
