package dev.sluice.backend;

import io.netty.channel.Channel;
import io.netty.channel.pool.ChannelPool;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/** Netty's pool interface, holding nothing: an exchange under test only gives its channel back. */
final class NoPool implements ChannelPool {
    @Override
    public Future<Channel> acquire() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Future<Channel> acquire(Promise<Channel> promise) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Future<Void> release(Channel channel) {
        return channel.eventLoop().newSucceededFuture(null);
    }

    @Override
    public Future<Void> release(Channel channel, Promise<Void> promise) {
        return promise.setSuccess(null);
    }

    @Override
    public void close() {}
}
