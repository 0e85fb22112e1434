package dev.sluice.http;

import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import jakarta.inject.Singleton;

/**
 * What the gateway changes in Micronaut's Netty pipeline, per client connection: the body-gathering allocator
 * ({@link ComposingAllocator}).
 */
@Singleton
final class ServerPipeline implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(new Listener());
        return event.getBean();
    }

    private static final class Listener implements NettyServerCustomizer {
        @Override
        public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
            if (role == ChannelRole.CONNECTION && !(channel.config().getAllocator() instanceof ComposingAllocator)) {
                channel.config().setAllocator(new ComposingAllocator(channel.config().getAllocator()));
            }
            return this;
        }
    }
}
