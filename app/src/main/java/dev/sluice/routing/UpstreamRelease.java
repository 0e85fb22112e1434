package dev.sluice.routing;

import dev.sluice.backend.BodySink;
import dev.sluice.backend.UpstreamExchange;
import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Lets a finished upstream response run out so its connection goes back to the pool: after {@code [DONE]} only the
 * end of the chunked body is left. A runtime that keeps the body open past that is cut after a few seconds.
 */
final class UpstreamRelease {
    private static final long GRACE_SECONDS = 5;

    private UpstreamRelease() {}

    static void drainToPool(EventLoop loop, UpstreamExchange ex) {
        loop.execute(() -> {
            ScheduledFuture<?> guard = loop.schedule(ex::abort, GRACE_SECONDS, TimeUnit.SECONDS);
            ex.setSink(BodySink.discarding(ex, ended -> guard.cancel(false)));
            ex.read();
        });
    }
}
