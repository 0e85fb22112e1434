package dev.sluice.cache;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In Redis, shared by every gateway instance using the same REDIS_URL: one key per answer
 * ({@code sluice:cache:<sha-256>}), written with {@code SET ... PX ttl}. Redis down or slow (over
 * {@code timeout}) is a miss, and a store that fails is dropped; requests go to the backend as without a cache.
 */
public final class RedisStore implements CacheStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);
    private static final String PREFIX = "sluice:cache:";

    private final Connection connection;
    private final Duration ttl;

    public RedisStore(Connection connection, Duration ttl) {
        this.connection = connection;
        this.ttl = ttl;
    }

    @Override
    public CompletableFuture<CachedAnswer> get(String key) {
        StatefulRedisConnection<byte[], byte[]> c = connection.get();
        if (c == null) {
            return CompletableFuture.completedFuture(null);
        }
        return c.async().get(bytes(key)).toCompletableFuture()
                .orTimeout(connection.timeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(CachedAnswer::decode)
                .exceptionally(e -> {
                    LOG.warn("response cache: Redis lookup failed, treated as a miss: {}", e.toString());
                    return null;
                });
    }

    @Override
    public void put(String key, CachedAnswer answer) {
        StatefulRedisConnection<byte[], byte[]> c = connection.get();
        if (c == null) {
            return;
        }
        c.async().set(bytes(key), answer.encode(), SetArgs.Builder.px(ttl.toMillis())).toCompletableFuture()
                .orTimeout(connection.timeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> {
                    LOG.warn("response cache: Redis store failed, answer not cached: {}", e.toString());
                    return null;
                });
    }

    private static byte[] bytes(String key) {
        return (PREFIX + key).getBytes(StandardCharsets.UTF_8);
    }

    /** One lazily opened connection to REDIS_URL, shared by every alias's store. */
    public static final class Connection implements AutoCloseable {
        private final String url;
        private final Duration timeout;
        private RedisClient client;
        private StatefulRedisConnection<byte[], byte[]> connection;
        private long retryAtNanos;

        public Connection(String url, Duration timeout) {
            this.url = url;
            this.timeout = timeout;
        }

        /** How long one command may take before it counts as failed. */
        Duration timeout() {
            return timeout;
        }

        /** Whether REDIS_URL is set. */
        public boolean configured() {
            return url != null;
        }

        synchronized StatefulRedisConnection<byte[], byte[]> get() {
            if (url == null) {
                return null;
            }
            if (connection != null) {
                return connection;
            }
            if (System.nanoTime() < retryAtNanos) {
                return null;
            }
            try {
                if (client == null) {
                    RedisURI uri = RedisURI.create(url);
                    uri.setTimeout(timeout);
                    client = RedisClient.create(uri);
                }
                connection = client.connect(ByteArrayCodec.INSTANCE);
                return connection;
            } catch (RuntimeException e) {
                LOG.warn("response cache: cannot connect to Redis, serving without the cache for 5 s: {}",
                        e.toString());
                retryAtNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                return null;
            }
        }

        @Override
        public synchronized void close() {
            if (connection != null) {
                connection.close();
            }
            if (client != null) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }
}
