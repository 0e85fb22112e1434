package dev.sluice.ratelimit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * {@link WindowLimits} in Redis. Each decision is one EVAL of {@link #ACQUIRE}: it reads Redis' own clock (so
 * replicas with skewed clocks share one window; a test may pass its own clock instead), checks every counter and
 * charges all of them only if all have room. Redis runs a script atomically, so there is no read-then-write race
 * between replicas. Settlements are a second script that adjusts the counter only while its window still exists.
 *
 * <p>The connection is opened asynchronously and re-opened in the background; commands fail at once while it is
 * down (REJECT_COMMANDS) rather than queueing, so the caller's timeout and failure mode decide.
 */
public final class RedisWindowLimits implements WindowLimits, AutoCloseable {
    static final String PREFIX = "sluice:rl:";

    /**
     * KEYS: counters; ARGV[1]: window ms; ARGV[2i], ARGV[2i+1]: limit and cost of KEYS[i]; an extra last ARGV: the
     * time in ms to decide at, instead of Redis' TIME.
     */
    static final String ACQUIRE = """
            local now
            if #ARGV > 2 * #KEYS + 1 then
              now = tonumber(ARGV[#ARGV])
            else
              local t = redis.call('TIME')
              now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            local w = tonumber(ARGV[1])
            local win = math.floor(now / w)
            local reset = (win + 1) * w - now
            local used = {}
            local denied = 0
            for i = 1, #KEYS do
              local v = tonumber(redis.call('GET', KEYS[i] .. ':' .. win) or '0')
              used[i] = v
              local limit = tonumber(ARGV[2 * i])
              local cost = tonumber(ARGV[2 * i + 1])
              if denied == 0 and v > 0 and v + cost > limit then
                denied = i
              end
            end
            local out = {denied, reset, win}
            for i = 1, #KEYS do
              local limit = tonumber(ARGV[2 * i])
              local after = used[i]
              if denied == 0 then
                local k = KEYS[i] .. ':' .. win
                after = redis.call('INCRBY', k, ARGV[2 * i + 1])
                redis.call('PEXPIRE', k, w * 2)
              end
              local left = limit - after
              if left < 0 then left = 0 end
              out[#out + 1] = left
            end
            return out
            """;

    /** KEYS[1]: counter with window; ARGV[1]: delta. Never recreates an expired window, never goes below 0. */
    static final String ADJUST = """
            if redis.call('EXISTS', KEYS[1]) == 1 then
              local v = redis.call('INCRBY', KEYS[1], ARGV[1])
              if v < 0 then redis.call('SET', KEYS[1], 0, 'KEEPTTL') end
              return v
            end
            return 0
            """;

    private final RedisClient client;
    private final RedisURI uri;
    private final LongSupplier clockMillis;
    private final AtomicBoolean connecting = new AtomicBoolean();
    private volatile StatefulRedisConnection<String, String> connection;

    /** Windows on Redis' own clock, which every replica shares. */
    public RedisWindowLimits(String url, Duration timeout) {
        this(url, timeout, null);
    }

    /**
     * @param clockMillis the time to decide windows at, instead of Redis' TIME (tests); null for Redis' clock
     */
    public RedisWindowLimits(String url, Duration timeout, LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        this.uri = RedisURI.create(url);
        uri.setTimeout(timeout);
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
                .build());
        connect();
    }

    /** Opens the connection if none is open or opening; true when one is ready now. */
    public boolean connected() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null && c.isOpen()) {
            return true;
        }
        connect();
        return false;
    }

    /** Waits up to {@code max} for the first connection (startup only). */
    public void awaitConnected(Duration max) {
        long end = System.nanoTime() + max.toNanos();
        while (!connected() && System.nanoTime() < end) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void connect() {
        if (connection != null || !connecting.compareAndSet(false, true)) {
            return; // an open connection reconnects by itself
        }
        client.connectAsync(StringCodec.UTF8, uri).whenComplete((c, e) -> {
            if (c != null) {
                connection = c;
            }
            connecting.set(false);
        });
    }

    @Override
    public CompletableFuture<Outcome> acquire(List<Check> checks, long windowMillis) {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null || !c.isOpen()) {
            connect();
            return CompletableFuture.failedFuture(new IllegalStateException("not connected to Redis"));
        }
        String[] keys = new String[checks.size()];
        String[] args = new String[1 + 2 * checks.size() + (clockMillis == null ? 0 : 1)];
        args[0] = Long.toString(windowMillis);
        if (clockMillis != null) {
            args[args.length - 1] = Long.toString(clockMillis.getAsLong());
        }
        for (int i = 0; i < checks.size(); i++) {
            keys[i] = PREFIX + checks.get(i).counter();
            args[1 + 2 * i] = Long.toString(exact(checks.get(i).limit()));
            args[2 + 2 * i] = Long.toString(exact(checks.get(i).cost()));
        }
        CompletionStage<List<Object>> r = c.async().eval(ACQUIRE, ScriptOutputType.MULTI, keys, args);
        return r.toCompletableFuture().thenApply(out -> {
            int denied = (int) (long) (Long) out.get(0) - 1;
            long[] remaining = new long[checks.size()];
            for (int i = 0; i < remaining.length; i++) {
                remaining[i] = (Long) out.get(3 + i);
            }
            return new Outcome(denied < 0, denied, (Long) out.get(1), remaining, (Long) out.get(2));
        });
    }

    /**
     * Clamped to [0, 2^50]: Lua numbers are doubles, and Redis turns one of 1e17 or more into "1e+17", which INCRBY
     * rejects as "value is not an integer". No real limit or cost comes near the clamp.
     */
    static long exact(long v) {
        return Math.max(0, Math.min(v, MAX_EXACT));
    }

    static final long MAX_EXACT = 1L << 50;

    @Override
    public CompletableFuture<Void> adjust(String counter, long window, long delta) {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null || !c.isOpen()) {
            return CompletableFuture.completedFuture(null);
        }
        return c.async().<Long>eval(ADJUST, ScriptOutputType.INTEGER, new String[] {PREFIX + counter + ":" + window},
                Long.toString(Math.max(-MAX_EXACT, Math.min(delta, MAX_EXACT)))).toCompletableFuture().thenApply(v -> null);
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.closeAsync();
        }
        client.shutdownAsync(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
}
