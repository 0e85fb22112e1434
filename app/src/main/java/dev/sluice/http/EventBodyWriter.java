package dev.sluice.http;

import io.micronaut.core.type.Argument;
import io.micronaut.core.type.MutableHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.body.ByteBodyFactory;
import io.micronaut.http.body.CloseableByteBody;
import io.micronaut.http.body.ResponseBodyWriter;
import io.micronaut.http.body.stream.BodySizeLimits;
import io.micronaut.http.codec.CodecException;
import jakarta.inject.Singleton;
import java.io.OutputStream;

/** Writes an {@link EventBody}: its events go into one streaming body as they come ({@link EventFeed}). */
@Singleton
@Produces(MediaType.TEXT_EVENT_STREAM)
final class EventBodyWriter implements ResponseBodyWriter<EventBody> {

    @Override
    public CloseableByteBody writePiece(ByteBodyFactory bodies, HttpRequest<?> request, HttpResponse<?> response,
            Argument<EventBody> type, MediaType mediaType, EventBody body) {
        EventFeed feed = new EventFeed(body.loop(), bodies.readBufferFactory());
        ByteBodyFactory.StreamingBody streaming = bodies.createStreamingBody(BodySizeLimits.UNLIMITED, feed);
        feed.into(streaming.sharedBuffer());
        body.events().subscribe(feed);
        return streaming.rootBody();
    }

    @Override
    public void writeTo(Argument<EventBody> type, MediaType mediaType, EventBody body, MutableHeaders headers,
            OutputStream out) {
        throw new CodecException("an event stream is written as it comes, never into a buffer");
    }

    @Override
    public boolean isBlocking() {
        return false;
    }
}
