package dev.sluice.ratelimit;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many replicas share the limits, learnt through Redis: every replica writes its id with Redis' time into one
 * sorted set every {@link #HEARTBEAT}, and those seen within {@link #LIVE} are live. The fallback share of a limit
 * is the limit divided by that count. While Redis does not answer the last count stays (a replica cannot learn
 * who else is up without it), and before Redis has ever answered REDIS_REPLICAS_HINT stands in.
 */
final class Replicas implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Replicas.class);
    static final String KEY = "sluice:replicas";
    static final Duration HEARTBEAT = Duration.ofSeconds(1);
    static final Duration LIVE = Duration.ofSeconds(3);

    /** KEYS[1]: the set; ARGV: this replica's id, the live span in ms. Returns how many replicas are live. */
    static final String BEAT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', KEYS[1], string.format('%d', now), ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - tonumber(ARGV[2])))
            redis.call('PEXPIRE', KEYS[1], string.format('%d', 2 * tonumber(ARGV[2])))
            return redis.call('ZCARD', KEYS[1])
            """;

    private final RedisBuckets redis;
    private final String id = UUID.randomUUID().toString();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-replicas");
        t.setDaemon(true);
        return t;
    });
    private volatile int live;

    /**
     * @param url Redis; the heartbeat has a connection of its own, whose commands may take up to {@link #HEARTBEAT}:
     *     the decisions' REDIS_TIMEOUT_MS (50 ms) is for requests, and a count that a busy moment failed to refresh
     *     would leave every replica with too large a share
     */
    Replicas(String url, int hint) {
        this.redis = new RedisBuckets(url, HEARTBEAT, null);
        redis.awaitConnected(Duration.ofSeconds(2));
        this.live = Math.max(1, hint);
        try {
            beat().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Redis did not answer the first replica heartbeat; assuming {} replicas until it does", live);
        }
        timer.scheduleWithFixedDelay(() -> beat().exceptionally(e -> null), HEARTBEAT.toMillis(), HEARTBEAT.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Live replicas, this one included: at least 1. */
    int live() {
        return live;
    }

    private CompletableFuture<Void> beat() {
        StatefulRedisConnection<String, String> c = redis.connection();
        if (c == null) {
            return CompletableFuture.completedFuture(null);
        }
        return c.async().<Long>eval(BEAT, ScriptOutputType.INTEGER, new String[] {KEY}, id,
                Long.toString(LIVE.toMillis())).toCompletableFuture()
                .orTimeout(LIVE.toMillis(), TimeUnit.MILLISECONDS)
                .thenAccept(n -> {
                    int now = (int) Math.max(1, Math.min(n, 10_000));
                    if (now != live) {
                        LOG.info("{} replicas share the limits", now);
                    }
                    live = now;
                });
    }

    /** Leaves the set, so the others' fallback shares grow at once rather than after {@link #LIVE}. */
    @Override
    public void close() {
        timer.shutdownNow();
        StatefulRedisConnection<String, String> c = redis.connection();
        if (c != null) {
            try {
                c.async().zrem(KEY, id).get(500, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // Redis down or slow: this replica drops out of the count after LIVE anyway
            }
        }
        redis.close();
    }
}
