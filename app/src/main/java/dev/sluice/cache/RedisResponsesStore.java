package dev.sluice.cache;

import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In Redis ({@code sluice:resp:<id>}, {@code SET … PX ttl}), so every replica sharing REDIS_URL can continue a
 * conversation another one served. Redis down or slow is "not found" for reads and a skipped write.
 */
public final class RedisResponsesStore implements ResponsesStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisResponsesStore.class);
    private static final String PREFIX = "sluice:resp:";

    private final RedisStore.Connection connection;
    private final Duration ttl;

    public RedisResponsesStore(RedisStore.Connection connection, Duration ttl) {
        this.connection = connection;
        this.ttl = ttl;
    }

    @Override
    public CompletableFuture<StoredResponse> get(String id, String owner) {
        StatefulRedisConnection<byte[], byte[]> c = connection.get();
        if (c == null) {
            return CompletableFuture.completedFuture(null);
        }
        return c.async().get(key(id)).toCompletableFuture()
                .orTimeout(connection.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(bytes -> {
                    StoredResponse r = StoredResponse.decode(id, bytes);
                    return r != null && r.owner().equals(owner) ? r : null;
                })
                .exceptionally(e -> {
                    LOG.warn("responses store: Redis lookup failed, treated as not found: {}", e.toString());
                    return null;
                });
    }

    @Override
    public void put(StoredResponse response) {
        StatefulRedisConnection<byte[], byte[]> c = connection.get();
        if (c == null) {
            return;
        }
        c.async().set(key(response.id()), response.encode(), SetArgs.Builder.px(ttl.toMillis())).toCompletableFuture()
                .orTimeout(connection.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> {
                    LOG.warn("responses store: Redis write failed, response not stored: {}", e.toString());
                    return null;
                });
    }

    @Override
    public CompletableFuture<Boolean> delete(String id, String owner) {
        return get(id, owner).thenCompose(r -> {
            StatefulRedisConnection<byte[], byte[]> c = connection.get();
            if (r == null || c == null) {
                return CompletableFuture.completedFuture(false);
            }
            return c.async().del(key(id)).toCompletableFuture()
                    .orTimeout(connection.timeout().toMillis(), TimeUnit.MILLISECONDS)
                    .thenApply(n -> n > 0).exceptionally(e -> false);
        });
    }

    private static byte[] key(String id) {
        return (PREFIX + id).getBytes(StandardCharsets.UTF_8);
    }
}
