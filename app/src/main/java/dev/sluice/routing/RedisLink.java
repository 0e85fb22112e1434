package dev.sluice.routing;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis connection of what routing shares between replicas (ejections, load readings): connected in the
 * background, reconnecting on its own, refusing commands while down instead of queueing them, so that Redis being
 * away only ever means each replica decides alone.
 */
final class RedisLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);

    private final RedisClient client;
    private volatile StatefulRedisConnection<String, String> connection;

    /** @param what what is shared, for the one warning logged when Redis cannot be reached */
    RedisLink(String url, String what) {
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build()).build());
        client.connectAsync(io.lettuce.core.codec.StringCodec.UTF8, RedisURI.create(url)).whenComplete((c, e) -> {
            if (e != null) {
                LOG.warn("{}: cannot reach Redis ({}); each replica decides alone", what,
                        e.getClass().getSimpleName());
            } else {
                connection = c;
            }
        });
    }

    /** The connection, or null while there is none. */
    StatefulRedisConnection<String, String> connection() {
        return connection;
    }

    boolean awaitConnected(Duration max) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (connection == null && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        return connection != null;
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
}
