package dev.sluice.http;

import dev.sluice.routing.ClientLink;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;

/**
 * The client connection under a request, when it is a Netty one. Its close is what tells the gateway to
 * cancel the upstream request, for non-streaming requests and for streams that have not started yet
 * (a controller's future is not cancelled by Micronaut when the client leaves, micronaut-core#8140).
 */
final class NettyClientLink implements ClientLink {
    private final Channel channel;

    private NettyClientLink(Channel channel) {
        this.channel = channel;
    }

    static ClientLink of(HttpRequest<?> request) {
        Channel ch = channel(request);
        return ch == null ? ClientLink.NONE : new NettyClientLink(ch);
    }

    static EventLoop loop(HttpRequest<?> request) {
        Channel ch = channel(request);
        return ch == null ? null : ch.eventLoop();
    }

    private static Channel channel(HttpRequest<?> request) {
        if (request instanceof NettyHttpRequest<?> n) {
            // an HTTP/2 stream channel's parent is the connection; its close is what a client's leaving looks like
            return n.getChannelHandlerContext().channel();
        }
        return null;
    }

    @Override
    public Registration onClose(Runnable onClose) {
        if (!channel.isActive()) {
            onClose.run();
            return () -> {};
        }
        ChannelFutureListener l = f -> onClose.run();
        channel.closeFuture().addListener(l);
        return () -> channel.closeFuture().removeListener(l);
    }
}
