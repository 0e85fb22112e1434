package dev.sluice.http;

import dev.sluice.config.ConnectionLimits;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import jakarta.inject.Singleton;

/**
 * What the gateway changes in Micronaut's Netty pipeline, per client connection: the body-gathering allocator
 * ({@link ComposingAllocator}), strict HTTP/1.1 framing ({@link StrictHttp}) and the connection's time and count
 * limits ({@link ConnectionGuard}).
 */
@Singleton
final class ServerPipeline implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    private final ConnectionGuard guard;

    ServerPipeline(ConnectionLimits limits, MeterRegistry registry) {
        this.guard = new ConnectionGuard(limits, registry);
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(new Listener(guard));
        return event.getBean();
    }

    private record Listener(ConnectionGuard guard) implements NettyServerCustomizer {
        @Override
        public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
            if (role != ChannelRole.CONNECTION) {
                return this;
            }
            if (!guard.admit(channel)) {
                return this; // closed already: nothing of it is read
            }
            if (!(channel.config().getAllocator() instanceof ComposingAllocator)) {
                channel.config().setAllocator(new ComposingAllocator(channel.config().getAllocator()));
            }
            return new Connection(channel, guard);
        }
    }

    /** One client connection: strict framing around the HTTP/1.1 codec once Micronaut has built the pipeline. */
    private record Connection(Channel channel, ConnectionGuard guard) implements NettyServerCustomizer {
        @Override
        public void onInitialPipelineBuilt() {
            ChannelPipeline p = channel.pipeline();
            if (p.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) == null || p.get(GUARD) != null) {
                return; // not plain HTTP/1.1 (HTTP/2 frames are parsed by a different codec)
            }
            StrictHttp.State state = new StrictHttp.State();
            p.addBefore(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, GUARD, new StrictHttp.Guard(state));
            p.addAfter(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, COUNTER,
                    new StrictHttp.ResponseCounter(state));
            ConnectionGuard.Clock clock = guard.new Clock();
            p.addBefore(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, CLOCK_RAW, clock.rawSide());
            p.addAfter(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, CLOCK_MESSAGES, clock.messageSide());
        }
    }

    private static final String GUARD = "sluice-strict-http";
    private static final String COUNTER = "sluice-response-counter";
    private static final String CLOCK_RAW = "sluice-connection-clock";
    private static final String CLOCK_MESSAGES = "sluice-connection-clock-messages";
}
