package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A chunked stream's chunks that arrive in one socket read reach the sink as one piece when the read completes:
 * one client write per read, not one per event. Order, the end and the bytes themselves stay as they were.
 */
class NettyExchangeBatchTest {

    /** Records what it is handed, asking for more after each piece as the relay does. */
    private static final class Recorder implements BodySink {
        final List<String> pieces = new ArrayList<>();
        final List<ByteBuf> buffers = new ArrayList<>();
        UpstreamExchange exchange;
        int ends;
        Throwable error;

        @Override
        public void onData(ByteBuf data) {
            pieces.add(data.toString(StandardCharsets.UTF_8));
            buffers.add(data);
            data.release();
            exchange.read();
        }

        @Override
        public void onEnd() {
            ends++;
        }

        @Override
        public void onError(Throwable cause) {
            error = cause;
        }
    }

    private static final String HEAD = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            + "transfer-encoding: chunked\r\n\r\n";

    private static String chunk(String text) {
        return Integer.toHexString(text.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + text + "\r\n";
    }

    private static String event(int n) {
        return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"t" + n + "\"}}]}\n\n";
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private record Started(EmbeddedChannel channel, Recorder sink) {}

    private static Started start() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpClientCodec());
        CompletableFuture<UpstreamExchange> headers = new CompletableFuture<>();
        new NettyExchange(channel, new NoPool(), headers, null,
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions")).start();
        ReferenceCountUtil.release(channel.readOutbound());
        channel.writeInbound(bytes(HEAD));
        Recorder sink = new Recorder();
        sink.exchange = headers.getNow(null);
        assertThat(sink.exchange).as("the head is read").isNotNull();
        sink.exchange.setSink(sink);
        return new Started(channel, sink);
    }

    @Test
    void the_chunks_of_one_read_reach_the_sink_as_one_piece_in_order() throws Exception {
        Started s = start();
        StringBuilder first = new StringBuilder();
        StringBuilder read = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            first.append(event(i));
            read.append(chunk(event(i)));
        }
        s.channel().writeInbound(bytes(read.toString()));
        s.channel().writeInbound(bytes(chunk(event(50)) + chunk(event(51))));

        assertThat(s.sink().pieces).containsExactly(first.toString(), event(50) + event(51));
        assertThat(s.sink().ends).isZero();
        assertThat(s.sink().buffers).allMatch(b -> b.refCnt() == 0);
    }

    @Test
    void the_last_chunk_in_the_same_read_hands_on_what_came_before_it_then_ends() throws Exception {
        Started s = start();
        s.channel().writeInbound(bytes(chunk(event(1)) + chunk(event(2)) + chunk("data: [DONE]\n\n") + "0\r\n\r\n"));

        assertThat(s.sink().pieces).containsExactly(event(1) + event(2) + "data: [DONE]\n\n");
        assertThat(s.sink().ends).isOne();
        assertThat(s.sink().error).isNull();
    }

    @Test
    void a_broken_chunk_after_good_ones_in_one_read_fails_the_body_and_releases_what_was_held() throws Exception {
        Started s = start();
        s.channel().writeInbound(bytes(chunk(event(1)) + "zz\r\nnot a chunk size\r\n"));

        assertThat(s.sink().error).isNotNull();
        assertThat(s.sink().pieces).as("nothing of a broken read is handed on").isEmpty();
        assertThat(s.channel().isOpen()).isFalse();
    }
}
