package dev.sluice.backend;

import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.ChannelPool;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** One request/response on a pooled upstream connection. Lives on the connection's event loop. */
final class NettyExchange extends ChannelInboundHandlerAdapter implements UpstreamExchange {
    static final AttributeKey<Boolean> USED = AttributeKey.valueOf("sluice.used");
    private static final String NAME = "exchange";
    private static final String IDLE = "idle-watch";

    private final Channel channel;
    private final ChannelPool pool;
    private final CompletableFuture<UpstreamExchange> headersFuture;
    private final Runnable retryOnStaleConnection;
    private final FullHttpRequest request;
    private final ArrayDeque<Object> early = new ArrayDeque<>();
    private int status;
    private Map<String, String> headers = Map.of();
    private boolean keepAlive;
    private boolean gotHeaders;
    private boolean finished;
    private boolean wantRead;
    /** The whole request reached the socket: from here on the backend may have acted on it. */
    private boolean written;
    private BodySink sink;
    /**
     * The body bytes of the socket read in progress, handed on together when the read completes: the HTTP codec cuts
     * a chunked body into one message per chunk, and a runtime's stream puts one event in each chunk, so handing on
     * each chunk made a client write and flush (and a write listener) per event even when one read held fifty.
     */
    private ByteBuf held;
    private boolean heldComposite;

    NettyExchange(Channel channel, ChannelPool pool, CompletableFuture<UpstreamExchange> headersFuture,
            Runnable retryOnStaleConnection, FullHttpRequest request) {
        this.channel = channel;
        this.pool = pool;
        this.headersFuture = headersFuture;
        this.retryOnStaleConnection = retryOnStaleConnection;
        this.request = request;
    }

    void start() {
        if (headersFuture.isDone()) {
            // cancelled while the connection was being acquired: nothing was sent, the connection is unused
            request.release();
            pool.release(channel);
            return;
        }
        // a caller that gives up before the response head (client gone, timeout) cancels the future: close
        // the connection so the runtime stops working on a request nobody waits for
        headersFuture.whenComplete((ex, err) -> {
            if (err != null) {
                channel.eventLoop().execute(this::cancelBeforeHeaders);
            }
        });
        if (channel.pipeline().get(IDLE) != null) {
            channel.pipeline().remove(IDLE);
        }
        channel.pipeline().addLast(NAME, this);
        channel.writeAndFlush(request.retainedDuplicate()).addListener(f -> {
            if (f.isSuccess()) {
                written = true;
            } else {
                fail(f.cause());
            }
        });
        channel.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (finished) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                fail(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.MALFORMED_RESPONSE,
                        "the backend sent a malformed HTTP response"));
                return;
            }
            status = response.status().code();
            Map<String, String> h = new HashMap<>();
            response.headers().forEach(e -> h.putIfAbsent(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue()));
            headers = h;
            keepAlive = HttpUtil.isKeepAlive(response);
            gotHeaders = true;
            request.release();
            headersFuture.complete(this);
        }
        if (msg instanceof HttpContent content) {
            if (content.decoderResult().isFailure()) {
                // garbage where a chunk size should be: Netty ends the body with a failed last chunk; the
                // connection is unusable, so fail (and close) instead of ending cleanly and pooling it
                ReferenceCountUtil.release(msg);
                fail(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.MALFORMED_RESPONSE,
                        "the backend sent a malformed HTTP body"));
                return;
            }
            if (sink == null) {
                early.add(content);
            } else {
                hold(content);
            }
        }
    }

    private void hold(HttpContent content) {
        ByteBuf data = content.content();
        if (!data.isReadable()) {
            data.release();
        } else if (held == null) {
            held = data;
        } else {
            if (!heldComposite) {
                CompositeByteBuf all = channel.alloc().compositeBuffer(MAX_HELD_PARTS);
                all.addComponent(true, held);
                held = all;
                heldComposite = true;
            }
            ((CompositeByteBuf) held).addComponent(true, data);
        }
        if (content instanceof LastHttpContent) {
            handOn();
            if (!finished) {
                complete();
            }
        }
    }

    /** More parts than this in one read are copied together (the composite consolidates), which bounds its index. */
    private static final int MAX_HELD_PARTS = 256;

    private void handOn() {
        ByteBuf data = held;
        if (data == null) {
            return;
        }
        held = null;
        heldComposite = false;
        wantRead = false;
        sink.onData(data);
    }

    private void releaseHeld() {
        if (held != null) {
            held.release();
            held = null;
            heldComposite = false;
        }
    }

    private void complete() {
        finished = true;
        channel.pipeline().remove(this);
        if (keepAlive) {
            // read while pooled, so a close by the runtime (uvicorn drops idle connections after 5 s) is seen at
            // once and the pool's health check discards the connection before a request is written to it
            channel.pipeline().addLast(IDLE, IdleWatch.INSTANCE);
            channel.read();
            pool.release(channel);
        } else {
            channel.close();
            pool.release(channel);
        }
        sink.onEnd();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!finished && sink != null) {
            handOn();
        }
        // a read can end mid-frame (only a chunk-size line arrived) and deliver nothing: read again, or the
        // consumer would wait forever for data it already asked for
        if (!finished && (!gotHeaders || wantRead)) {
            channel.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!finished) {
            fail(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.CONNECTION_LOST, gotHeaders
                    ? "the backend closed the connection before the response was complete"
                    : "the backend closed the connection without answering"));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause);
    }

    private void fail(Throwable cause) {
        if (finished) {
            return;
        }
        finished = true;
        if (channel.pipeline().get(NAME) != null) {
            channel.pipeline().remove(this);
        }
        channel.close();
        pool.release(channel);
        if (!gotHeaders) {
            if (retryOnStaleConnection != null && !written) {
                // a pooled connection that failed before the whole request was written (found closed, or the
                // write failed): the backend cannot have acted on an incomplete request, so one more try on a
                // fresh connection is safe. Once written, it may have (a POST that generates, and bills): the
                // failure goes to the caller, whose retry policy (NUM_RETRIES, fallbacks) is the operator's
                retryOnStaleConnection.run();
                return;
            }
            request.release();
            headersFuture.completeExceptionally(cause instanceof GatewayException g ? g
                    : GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.CONNECTION_LOST,
                            "the backend connection failed (" + cause.getClass().getSimpleName() + ")"));
            return;
        }
        drainEarly();
        if (sink != null) {
            sink.onError(cause);
        } else {
            pendingError = cause;
        }
    }

    private Throwable pendingError;

    private void drainEarly() {
        releaseHeld();
        Object o;
        while ((o = early.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
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
        return channel.eventLoop();
    }

    @Override
    public void setSink(BodySink sink) {
        this.sink = sink;
        if (pendingError != null) {
            sink.onError(pendingError);
            return;
        }
        Object o;
        while (!early.isEmpty() && (o = early.poll()) != null) {
            hold((HttpContent) o);
        }
        if (!finished) {
            handOn();
        }
    }

    @Override
    public void read() {
        if (!finished) {
            wantRead = true;
            channel.read();
        }
    }

    private void cancelBeforeHeaders() {
        if (finished || gotHeaders) {
            return;
        }
        finished = true;
        drainEarly();
        if (channel.pipeline().get(NAME) != null) {
            channel.pipeline().remove(this);
        }
        channel.close();
        pool.release(channel);
        request.release();
    }

    /**
     * Watches a pooled connection between exchanges: anything it reads there (a close, stray bytes) ends the
     * connection, so the pool never hands out one the runtime has already given up.
     */
    @io.netty.channel.ChannelHandler.Sharable
    static final class IdleWatch extends ChannelInboundHandlerAdapter {
        static final IdleWatch INSTANCE = new IdleWatch();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void abort() {
        if (finished) {
            drainEarly();
            return;
        }
        finished = true;
        drainEarly();
        if (channel.pipeline().get(NAME) != null) {
            channel.pipeline().remove(this);
        }
        channel.close();
        pool.release(channel);
    }
}
