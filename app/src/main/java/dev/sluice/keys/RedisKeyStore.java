package dev.sluice.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Admin keys in Redis, shared by every replica: one hash (name to stored JSON) and a version counter that every
 * change increments. Replicas poll the counter (a GET every few hundred milliseconds, {@link KeyAdmin}) and reread
 * the hash when it moved, which is how a key created on one replica works on the others within a second. A poll
 * survives a lost publish, which pub/sub alone would not.
 */
public final class RedisKeyStore implements KeyStore {
    static final String HASH = "sluice:admin-keys";
    static final String VERSION = "sluice:admin-keys:version";

    private final RedisClient client;
    private final String safeUrl;
    private StatefulRedisConnection<String, String> connection;

    public RedisKeyStore(String url, String safeUrl) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(Duration.ofSeconds(2));
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build()).build());
        this.safeUrl = safeUrl;
        this.uriHolder = uri;
    }

    private final RedisURI uriHolder;

    /** Connects on first use and again after a failed connect: Redis being down at start must not stop the gateway. */
    private synchronized RedisCommands<String, String> redis() {
        if (connection == null) {
            connection = client.connect(StringCodec.UTF8, uriHolder);
        }
        return connection.sync();
    }

    @Override
    public List<AdminKey> all() {
        List<AdminKey> out = new ArrayList<>();
        for (String json : redis().hgetall(HASH).values()) {
            try {
                out.add(AdminKey.fromJson(AdminKey.MAPPER.readTree(json)));
            } catch (JsonProcessingException | RuntimeException e) {
                // one damaged entry must not take every other key out of force; it is skipped
            }
        }
        return out;
    }

    /**
     * Each change and its version bump run as one script, so a replica never sees the new version without the change,
     * and a rotation cannot bring back a key revoked at the same moment on another replica.
     */
    private static final String CREATE = "if redis.call('hsetnx', KEYS[1], ARGV[1], ARGV[2]) == 1 then"
            + " redis.call('incr', KEYS[2]) return 1 end return 0";
    private static final String REPLACE = "if redis.call('hexists', KEYS[1], ARGV[1]) == 1 then"
            + " redis.call('hset', KEYS[1], ARGV[1], ARGV[2]) redis.call('incr', KEYS[2]) return 1 end return 0";
    private static final String DELETE = "if redis.call('hdel', KEYS[1], ARGV[1]) == 1 then"
            + " redis.call('incr', KEYS[2]) return 1 end return 0";

    @Override
    public boolean create(AdminKey key) {
        return run(CREATE, key.name(), key.toJson().toString());
    }

    @Override
    public boolean replace(AdminKey key) {
        return run(REPLACE, key.name(), key.toJson().toString());
    }

    @Override
    public boolean delete(String name) {
        return run(DELETE, name);
    }

    private boolean run(String script, String... args) {
        Long done = redis().eval(script, ScriptOutputType.INTEGER, new String[] {HASH, VERSION}, args);
        return done != null && done == 1;
    }

    @Override
    public long version() {
        String v = redis().get(VERSION);
        return v == null ? 0 : Long.parseLong(v);
    }

    @Override
    public String describe() {
        return "Redis " + safeUrl;
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            connection.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
}
