package dev.sluice.backend;

import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * A minimal HTTP/1.1 client on Netty, built for proxying: it runs each exchange on the caller's event loop,
 * pools keep-alive connections per loop, never follows redirects (an SSRF vector), reads the body only on
 * demand, and closes the connection itself when an exchange is abandoned (the Micronaut client drains it
 * instead, micronaut-core#13261).
 */
public final class HttpUpstreamClient implements AutoCloseable {
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final URI base;
    private final String host;
    private final int port;
    private final boolean tls;
    private final String hostHeader;
    private final Duration connectTimeout;
    private final SslContext sslContext;
    private final Map<EventLoop, SimpleChannelPool> pools = new ConcurrentHashMap<>();
    private volatile EventLoopGroup ownGroup;

    public HttpUpstreamClient(URI base, Duration connectTimeout) {
        this.base = base;
        this.host = base.getHost();
        this.tls = "https".equalsIgnoreCase(base.getScheme());
        this.port = base.getPort() > 0 ? base.getPort() : (tls ? 443 : 80);
        boolean defaultPort = base.getPort() < 0;
        this.hostHeader = defaultPort ? host : host + ":" + port;
        this.connectTimeout = connectTimeout;
        try {
            this.sslContext = tls ? SslContextBuilder.forClient().build() : null;
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for " + host, e);
        }
    }

    /** An event loop for callers that have none (probes, Lambda). */
    public EventLoop anyLoop() {
        EventLoopGroup g = ownGroup;
        if (g == null) {
            synchronized (this) {
                g = ownGroup;
                if (g == null) {
                    g = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
                    ownGroup = g;
                }
            }
        }
        return g.next();
    }

    /**
     * Sends a request; the future completes on {@code loop} once response headers arrive.
     *
     * @param fullPath path and query relative to the server root
     */
    public CompletableFuture<UpstreamExchange> send(HttpMethod method, String fullPath, byte[] body,
            Map<String, String> headers, EventLoop loop) {
        CompletableFuture<UpstreamExchange> result = new CompletableFuture<>();
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, fullPath,
                body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.HOST, hostHeader);
        request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        request.headers().set(HttpHeaderNames.USER_AGENT, "sluice");
        if (body != null) {
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        }
        headers.forEach((k, v) -> request.headers().set(k, v));
        attempt(request, loop, result, true);
        return result;
    }

    private void attempt(FullHttpRequest request, EventLoop loop, CompletableFuture<UpstreamExchange> result,
            boolean mayRetry) {
        SimpleChannelPool pool = pools.computeIfAbsent(loop, this::newPool);
        pool.acquire().addListener(f -> {
            if (!f.isSuccess()) {
                request.release();
                result.completeExceptionally(connectError(f.cause()));
                return;
            }
            Channel ch = (Channel) f.getNow();
            boolean reused = ch.attr(NettyExchange.USED).get() != null;
            ch.attr(NettyExchange.USED).set(Boolean.TRUE);
            NettyExchange exchange = new NettyExchange(ch, pool, result, mayRetry && reused
                    ? () -> attempt(request, loop, result, false)
                    : null, request);
            exchange.start();
        });
    }

    private SimpleChannelPool newPool(EventLoop loop) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.AUTO_READ, false)
                .remoteAddress(host, port);
        return new SimpleChannelPool(b, new AbstractChannelPoolHandler() {
            @Override
            public void channelCreated(Channel ch) {
                if (sslContext != null) {
                    ch.pipeline().addLast("tls", sslContext.newHandler(ch.alloc(), host, port));
                }
                ch.pipeline().addLast("http", new HttpClientCodec(4096, MAX_HEADER_BYTES, 64 * 1024));
            }
        }, ChannelHealthChecker.ACTIVE, true, false);
    }

    private GatewayException connectError(Throwable cause) {
        String where = host + ":" + port;
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            return GatewayException.of(ErrorKind.TIMEOUT, Cause.CONNECT_TIMEOUT, "could not connect to the backend at " + where + " within "
                    + connectTimeout.toMillis() + " ms (CONNECT_TIMEOUT_S); is it running and reachable?");
        }
        if (cause instanceof ConnectException) {
            return GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.CONNECT_REFUSED, "could not connect to the backend at "
                    + where + " (connection refused); is it running, and is BACKEND_BASE_URL right?");
        }
        return GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.CONNECT_FAILED, "could not connect to the backend at "
                + where + " ("
                + cause.getClass().getSimpleName() + ")");
    }

    public URI base() {
        return base;
    }

    @Override
    public void close() {
        pools.values().forEach(SimpleChannelPool::close);
        EventLoopGroup g = ownGroup;
        if (g != null) {
            g.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
