package dev.sluice.http;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Event loops for requests that did not arrive over a Netty connection (the Lambda adapter). */
final class SharedLoop {
    private static volatile EventLoopGroup group;

    private SharedLoop() {}

    static EventLoop get() {
        EventLoopGroup g = group;
        if (g == null) {
            synchronized (SharedLoop.class) {
                if (group == null) {
                    group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("sluice-io", true),
                            NioIoHandler.newFactory());
                }
                g = group;
            }
        }
        return g.next();
    }
}
