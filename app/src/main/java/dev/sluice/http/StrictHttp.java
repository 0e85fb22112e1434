package dev.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Strict HTTP/1.1 framing in front of Micronaut's codec (reliability.md G12, issue 13 item 11). Netty 4.2 already
 * refuses most smuggling vectors (CL with TE, duplicate or signed Content-Length, bare LF, NUL and CR in headers,
 * whitespace before a colon); what it accepts or leaves half-done is closed here:
 * <ul>
 *   <li>obs-fold (a header line starting with a space or tab), which Netty silently joins to the previous line: a
 *       proxy in front that reads it as a header of its own frames the request differently;</li>
 *   <li>a Transfer-Encoding other than exactly {@code chunked} ({@code identity, chunked} and friends);</li>
 *   <li>HTTP/1.1 without a Host, or with two; absolute-form and authority-form targets (this is not a proxy);</li>
 *   <li>a malformed chunk (bare LF, quoted or oversized extension, bad size), which Netty answers with a 400 but left
 *       the connection open.</li>
 * </ul>
 * Every refusal is a 400 with {@code Connection: close}, and the connection is closed; nothing of the request reaches
 * the gateway. To see obs-fold the raw bytes are needed, so each connection's bytes are first run through a shadow
 * copy of Netty's own request decoder (same framing, so it sees the same messages), and forwarded only when it found
 * nothing wrong.
 */
final class StrictHttp {
    private StrictHttp() {}

    /** Shared by the inbound guard (before the codec) and the response counter (after it). */
    static final class State {
        long requestsForwarded;
        long responsesDone;
    }

    /** Before the codec: decides, per read, whether the bytes may go on. */
    static final class Guard extends ChannelInboundHandlerAdapter {
        private final State state;
        private final ShadowDecoder decoder;
        private final Inspector inspector = new Inspector();
        private final EmbeddedChannel shadow;
        private boolean rejected;

        Guard(State state) {
            this.state = state;
            // generous limits: sizes are the real codec's business (431, 414); only framing and syntax are judged here
            this.decoder = new ShadowDecoder(new HttpDecoderConfig().setMaxInitialLineLength(64 * 1024)
                    .setMaxHeaderSize(128 * 1024).setMaxChunkSize(1 << 20));
            this.shadow = new EmbeddedChannel(decoder, inspector);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (rejected) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof ByteBuf buf) {
                long before = inspector.requests;
                shadow.writeInbound(buf.retainedDuplicate());
                String violation = decoder.violation != null ? decoder.violation : inspector.violation;
                if (violation != null) {
                    rejected = true;
                    buf.release();
                    reject(ctx, violation);
                    return;
                }
                state.requestsForwarded += inspector.requests - before;
            }
            ctx.fireChannelRead(msg);
        }

        /** A 400 when no earlier response is still being written, then close; nothing more is read. */
        private void reject(ChannelHandlerContext ctx, String why) {
            ctx.channel().config().setAutoRead(false);
            if (state.requestsForwarded == state.responsesDone) {
                byte[] body = ("{\"error\":{\"message\":\"malformed HTTP request: " + why + "\",\"type\":"
                        + "\"invalid_request_error\",\"param\":null,\"code\":\"bad_request\"}}")
                        .getBytes(StandardCharsets.UTF_8);
                byte[] head = ("HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: "
                        + body.length + "\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(head, body)).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            shadow.finishAndReleaseAll();
        }
    }

    /** After the codec: counts the responses written, so a refusal never cuts into one. */
    static final class ResponseCounter extends ChannelDuplexHandler {
        private final State state;

        ResponseCounter(State state) {
            this.state = state;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof LastHttpContent || msg instanceof FullHttpResponse) {
                ChannelPromise p = promise.unvoid(); // Micronaut writes with void promises, which take no listener
                p.addListener(f -> state.responsesDone++);
                ctx.write(msg, p);
                return;
            }
            ctx.write(msg, promise);
        }
    }

    /**
     * Netty's request decoder, watching for obs-fold: while a message's head is being read, the decoder consumes whole
     * lines, so every line start in the unread head is visible before it is parsed.
     */
    static final class ShadowDecoder extends HttpRequestDecoder {
        private boolean inHead = true;
        private long headConsumed;
        String violation;

        ShadowDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (violation != null) {
                in.skipBytes(in.readableBytes());
                return;
            }
            if (inHead && folded(in)) {
                violation = "a header line starts with a space or tab (obs-fold)";
                in.skipBytes(in.readableBytes());
                return;
            }
            int start = in.readerIndex();
            int seen = out.size();
            super.decode(ctx, in, out);
            if (inHead) {
                headConsumed += in.readerIndex() - start;
            }
            for (int i = seen; i < out.size(); i++) {
                Object o = out.get(i);
                if (o instanceof HttpMessage) {
                    inHead = false;
                }
                if (o instanceof LastHttpContent) {
                    inHead = true;
                    headConsumed = 0;
                }
            }
        }

        /** A line of the unread head that starts with SP or HT (the head ends at the first empty line). */
        private boolean folded(ByteBuf in) {
            int r = in.readerIndex();
            int w = in.writerIndex();
            if (headConsumed > 0 && r < w && blank(in.getByte(r))) {
                return true;
            }
            for (int i = r; i < w - 1; i++) {
                if (in.getByte(i) == '\n') {
                    byte next = in.getByte(i + 1);
                    if (next == '\r' || next == '\n') {
                        return false;
                    }
                    if (blank(next)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private static boolean blank(byte b) {
            return b == ' ' || b == '\t';
        }
    }

    /** At the end of the shadow pipeline: judges each decoded request and drops everything. */
    static final class Inspector extends ChannelInboundHandlerAdapter {
        long requests;
        String violation;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (violation == null && msg instanceof HttpObject o) {
                    violation = judge(o);
                }
                if (msg instanceof HttpRequest) {
                    requests++;
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private static String judge(HttpObject o) {
            if (o.decoderResult().isFailure()) {
                return o instanceof HttpContent ? "malformed chunked body" : "malformed request head";
            }
            if (!(o instanceof HttpRequest r)) {
                return null;
            }
            List<String> hosts = r.headers().getAll(HttpHeaderNames.HOST);
            if (hosts.size() > 1 || hosts.isEmpty() && r.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
                return hosts.isEmpty() ? "no Host header" : "more than one Host header";
            }
            String uri = r.uri();
            if (!uri.startsWith("/") && !(uri.equals("*") && r.method().equals(HttpMethod.OPTIONS))) {
                return "the request target must be a path (origin-form)";
            }
            List<String> te = r.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
            if (!te.isEmpty() && (te.size() > 1 || !te.get(0).trim().toLowerCase(Locale.ROOT).equals("chunked"))) {
                return "Transfer-Encoding must be exactly chunked";
            }
            return null;
        }
    }
}
