package dev.sluice.ratelimit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * {@link Buckets} in Redis. Each decision is one EVALSHA of {@link #ACQUIRE} (EVAL when Redis has not cached it):
 * it reads Redis' own clock (so replicas with skewed clocks agree; a test may pass its own clock instead), drains
 * every bucket, checks them all and charges them only if all have room, with the same integer steps as
 * {@link Gcra}. Redis runs a script atomically, so there is no read-then-write race between replicas. Each bucket
 * is a hash {level, last} that expires once it would have drained empty, which is the same as absent.
 *
 * <p>The connection is opened asynchronously and re-opened in the background; commands fail at once while it is
 * down (REJECT_COMMANDS) rather than queueing, so the caller's timeout and failure mode decide.
 */
public final class RedisBuckets implements Buckets, AutoCloseable {
    static final String PREFIX = "sluice:gcra:";

    /**
     * The steps every script shares, as Lua functions: the time to decide at (ARGV's, or Redis' TIME so replicas
     * with skewed clocks agree) and a bucket's level drained to that time (absent or expired is empty).
     */
    private static final String STEPS = """
            local function clock(arg)
              if arg ~= '' then return tonumber(arg) end
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            local function drained(key, rate, now)
              local s = redis.call('HMGET', key, 'l', 't')
              local level = tonumber(s[1] or '0')
              if level > 0 then
                local e = now - tonumber(s[2] or '0')
                if e < 0 then e = 0 end
                if e * rate >= level then level = 0 else level = level - e * rate end
              end
              return level
            end
            """;

    /**
     * KEYS: buckets. ARGV[1]: the time in ms to decide at, or empty for Redis' TIME; then for each KEYS[i] three
     * ARGV: rate per minute, capacity and charge in {@link Gcra#UNITS}. Returns {denied index or 0, now, levels...}.
     * Numbers are written back with %d: Lua's own number-to-string keeps 14 digits only.
     */
    static final String ACQUIRE = STEPS + """
            local now = clock(ARGV[1])
            local levels = {}
            local denied = 0
            for i = 1, #KEYS do
              local rate = tonumber(ARGV[3 * i - 1])
              local level = drained(KEYS[i], rate, now)
              levels[i] = level
              if denied == 0 and level > 0 and level + tonumber(ARGV[3 * i + 1]) > tonumber(ARGV[3 * i]) then
                denied = i
              end
            end
            if denied == 0 then
              for i = 1, #KEYS do
                local rate = tonumber(ARGV[3 * i - 1])
                levels[i] = levels[i] + tonumber(ARGV[3 * i + 1])
                redis.call('HSET', KEYS[i], 'l', string.format('%d', levels[i]), 't', string.format('%d', now))
                redis.call('PEXPIRE', KEYS[i], string.format('%d', math.ceil(levels[i] / rate) + 1000))
              end
            end
            local out = {denied, now}
            for i = 1, #KEYS do out[#out + 1] = levels[i] end
            return out
            """;

    /**
     * KEYS[1]: bucket; ARGV: rate per minute, delta in units, the time in ms or empty for Redis' TIME. Drains, adds,
     * never below 0; an absent (drained) bucket stays absent.
     */
    static final String ADJUST = STEPS + """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            local now = clock(ARGV[3])
            local rate = tonumber(ARGV[1])
            local level = drained(KEYS[1], rate, now)
            level = level + tonumber(ARGV[2])
            if level < 0 then level = 0 end
            redis.call('HSET', KEYS[1], 'l', string.format('%d', level), 't', string.format('%d', now))
            redis.call('PEXPIRE', KEYS[1], string.format('%d', math.ceil(level / rate) + 1000))
            return level
            """;

    /**
     * KEYS and ARGV as {@link #ACQUIRE}, but every bucket is charged whatever its level, up to twice its capacity
     * (debt of one burst): how a request the fallback share admitted is made known to the other replicas.
     */
    static final String FORCE = STEPS + """
            local now = clock(ARGV[1])
            for i = 1, #KEYS do
              local rate = tonumber(ARGV[3 * i - 1])
              local level = drained(KEYS[i], rate, now)
              local after = level + tonumber(ARGV[3 * i + 1])
              local ceiling = 2 * tonumber(ARGV[3 * i])
              if ceiling < level then ceiling = level end
              if after > ceiling then after = ceiling end
              redis.call('HSET', KEYS[i], 'l', string.format('%d', after), 't', string.format('%d', now))
              redis.call('PEXPIRE', KEYS[i], string.format('%d', math.ceil(after / rate) + 1000))
            end
            return 0
            """;

    private static final String ACQUIRE_SHA = sha1(ACQUIRE);

    private final RedisClient client;
    private final RedisURI uri;
    private final LongSupplier clockMillis;
    private final AtomicBoolean connecting = new AtomicBoolean();
    private volatile StatefulRedisConnection<String, String> connection;

    /**
     * @param clockMillis the time to decide at, instead of Redis' TIME (tests); null for Redis' clock
     */
    public RedisBuckets(String url, Duration timeout, LongSupplier clockMillis) {
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

    /** The open connection, or null (and a reconnect started). */
    StatefulRedisConnection<String, String> connection() {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null || !c.isOpen()) {
            connect();
            return null;
        }
        return c;
    }

    @Override
    public CompletableFuture<Outcome> acquire(List<Check> checks) {
        StatefulRedisConnection<String, String> c = connection();
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected to Redis"));
        }
        String[] keys = keys(checks);
        String[] args = args(checks);
        return evalsha(c, keys, args).thenApply(out -> {
            int denied = (int) (long) (Long) out.get(0) - 1;
            long[] levels = new long[checks.size()];
            for (int i = 0; i < levels.length; i++) {
                levels[i] = (Long) out.get(2 + i);
            }
            return new Outcome(denied < 0, denied, levels, (Long) out.get(1));
        });
    }

    /** Charges every bucket whatever its level (see {@link #FORCE}); best effort, failures are dropped. */
    public CompletableFuture<Void> force(List<Check> checks) {
        StatefulRedisConnection<String, String> c = connection();
        if (c == null || checks.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        String[] keys = keys(checks);
        String[] args = args(checks);
        return c.async().<Long>eval(FORCE, ScriptOutputType.INTEGER, keys, args).toCompletableFuture()
                .handle((v, e) -> null);
    }

    /** The buckets' keys, in the order of {@link #args}. */
    private static String[] keys(List<Check> checks) {
        String[] keys = new String[checks.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = PREFIX + checks.get(i).bucket();
        }
        return keys;
    }

    /** ARGV of both scripts: the clock (empty: Redis' own), then rate, burst and cost per bucket. */
    private String[] args(List<Check> checks) {
        String[] args = new String[1 + 3 * checks.size()];
        args[0] = clockMillis == null ? "" : Long.toString(clockMillis.getAsLong());
        for (int i = 0; i < checks.size(); i++) {
            Check ch = checks.get(i);
            args[1 + 3 * i] = Long.toString(Gcra.rate(ch.perMinute()));
            args[2 + 3 * i] = Long.toString(Gcra.units(ch.burst()));
            args[3 + 3 * i] = Long.toString(Gcra.units(ch.cost()));
        }
        return args;
    }

    /** EVALSHA, and EVAL once if Redis does not hold the script (a restart, SCRIPT FLUSH): one round trip normally. */
    private static CompletableFuture<List<Object>> evalsha(StatefulRedisConnection<String, String> c, String[] keys,
            String[] args) {
        CompletableFuture<List<Object>> first = c.async().<List<Object>>evalsha(ACQUIRE_SHA, ScriptOutputType.MULTI,
                keys, args).toCompletableFuture();
        return first.handle((r, e) -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RedisNoScriptException) {
                return c.async().<List<Object>>eval(ACQUIRE, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
            }
            return e == null ? CompletableFuture.completedFuture(r) : CompletableFuture.<List<Object>>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<Void> adjust(String bucket, long perMinute, long delta) {
        StatefulRedisConnection<String, String> c = connection();
        if (c == null) {
            return CompletableFuture.completedFuture(null);
        }
        long units = Gcra.units(Math.abs(delta));
        return c.async().<Long>eval(ADJUST, ScriptOutputType.INTEGER, new String[] {PREFIX + bucket},
                Long.toString(Gcra.rate(perMinute)), Long.toString(delta < 0 ? -units : units),
                clockMillis == null ? "" : Long.toString(clockMillis.getAsLong()))
                .toCompletableFuture().thenApply(v -> null);
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
