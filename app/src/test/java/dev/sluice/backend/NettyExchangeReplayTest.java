package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.error.Cause;
import dev.sluice.error.GatewayException;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The replay rule of a pooled connection, decided on a channel whose state the test sets: sent again only when
 * the request was not written whole; never once it was, whatever happens next.
 */
class NettyExchangeReplayTest {

    private static FullHttpRequest post() {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions");
    }

    @Test
    void a_connection_found_closed_before_the_write_is_replayed() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.close();
        AtomicInteger replays = new AtomicInteger();
        CompletableFuture<UpstreamExchange> headers = new CompletableFuture<>();

        new NettyExchange(channel, new NoPool(), headers, replays::incrementAndGet, post()).start();
        channel.runPendingTasks();

        assertThat(replays).hasValue(1);
        assertThat(headers).isNotDone();
    }

    @Test
    void a_connection_closed_after_the_request_was_written_is_not_replayed() {
        EmbeddedChannel channel = new EmbeddedChannel();
        AtomicInteger replays = new AtomicInteger();
        CompletableFuture<UpstreamExchange> headers = new CompletableFuture<>();
        FullHttpRequest request = post();

        new NettyExchange(channel, new NoPool(), headers, replays::incrementAndGet, request).start();
        Object written = channel.readOutbound();
        channel.close();
        channel.runPendingTasks();

        assertThat(written).isNotNull();
        ReferenceCountUtil.release(written);
        assertThat(replays).hasValue(0);
        assertThat(headers).isCompletedExceptionally();
        try {
            headers.get();
        } catch (InterruptedException | ExecutionException e) {
            assertThat(e.getCause()).isInstanceOfSatisfying(GatewayException.class,
                    g -> assertThat(g.cause()).isEqualTo(Cause.CONNECTION_LOST));
        }
    }
}
