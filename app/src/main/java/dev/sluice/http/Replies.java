package dev.sluice.http;

import dev.sluice.endpoint.Reply;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;

/** Turns the endpoint layer's replies and failures into Micronaut responses. */
final class Replies {
    private Replies() {}

    static MutableHttpResponse<?> of(Reply reply) {
        return switch (reply) {
            case Reply.Json j -> {
                MutableHttpResponse<?> r = json(j.body());
                j.headers().forEach(r::header);
                yield r;
            }
            case Reply.Stream s -> {
                MutableHttpResponse<?> r = SseResponses.of(s.events());
                s.headers().forEach(r::header);
                yield r;
            }
            case Reply.Queued q -> SseResponses.of(q.events());
        };
    }

    static MutableHttpResponse<?> json(byte[] body) {
        return HttpResponse.ok(body).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    static CompletableFuture<MutableHttpResponse<?>> fail(HttpRequest<?> request, Throwable e) {
        return CompletableFuture.completedFuture(ErrorResponses.ofThrowable(request, e));
    }

    /** The client connection's own event loop, so the upstream side never changes threads; a shared one else. */
    static EventLoop loop(HttpRequest<?> request) {
        EventLoop loop = NettyClientLink.loop(request);
        return loop != null ? loop : SharedLoop.get();
    }
}
