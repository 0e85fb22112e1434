package dev.sluice.budget;

import dev.sluice.config.RedisSettings;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spend counted in Redis, shared by every replica. A counter is a hash of integers ({@code nusd} nano-dollars,
 * {@code in}, {@code out}, {@code cached} tokens, {@code req} requests) that one script adds to with HINCRBY, so
 * concurrent requests on any replica add up exactly; a window's index is a set. Both expire a day after their window
 * ends. A read waits at most REDIS_TIMEOUT_MS; an addition that fails is kept and sent again after the next one that
 * succeeds, so a short outage delays spend rather than losing it.
 */
final class RedisSpend implements SpendStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSpend.class);
    static final String PREFIX = "sluice:spend:";
    static final String INDEX = "sluice:spend:index:";
    private static final int MAX_PENDING = 100_000;
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(1);

    /**
     * KEYS: for each counter its hash and its window's index. ARGV: nano-dollars, input, output and cached tokens,
     * requests; then for each counter its member name and time to live in seconds. Integers stay Redis' (HINCRBY
     * on 64-bit integers), never Lua's doubles.
     */
    static final String ADD = """
            local fields = {'nusd', 'in', 'out', 'cached', 'req'}
            for i = 1, #KEYS / 2 do
              for f = 1, 5 do
                if ARGV[f] ~= '0' then redis.call('HINCRBY', KEYS[2 * i - 1], fields[f], ARGV[f]) end
              end
              redis.call('EXPIRE', KEYS[2 * i - 1], ARGV[5 + 2 * i])
              redis.call('SADD', KEYS[2 * i], ARGV[4 + 2 * i])
              redis.call('EXPIRE', KEYS[2 * i], ARGV[5 + 2 * i])
            end
            return 0
            """;

    private record Pending(String[] keys, String[] args) {}

    private final RedisClient client;
    private final RedisURI uri;
    private final AtomicBoolean connecting = new AtomicBoolean();
    private volatile StatefulRedisConnection<String, String> connection;
    private final RedisSettings settings;
    private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();

    RedisSpend(RedisSettings settings) {
        this.settings = settings;
        this.uri = RedisURI.create(settings.url());
        uri.setTimeout(WRITE_TIMEOUT);
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(WRITE_TIMEOUT))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build()).build());
        try {
            this.connection = client.connect(StringCodec.UTF8, uri);
        } catch (RuntimeException e) {
            LOG.warn("spend: Redis at {} is not reachable at startup ({}); budgets {} until it is",
                    settings.safeUrl(), e.getClass().getSimpleName(),
                    settings.failClosed() ? "refuse requests (503)" : "are not checked");
        }
    }

    /**
     * The open connection's commands; without one, a connection is opened in the background (never on the caller's
     * thread, which may be an event loop) and this call fails at once. An open connection reconnects by itself.
     */
    private RedisAsyncCommands<String, String> redis() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            return c.async();
        }
        if (connecting.compareAndSet(false, true)) {
            client.connectAsync(StringCodec.UTF8, uri).whenComplete((opened, e) -> {
                connection = opened;
                connecting.set(false);
            });
        }
        throw new IllegalStateException("not connected to Redis");
    }

    @Override
    public CompletableFuture<long[]> spent(List<String> names) {
        List<CompletableFuture<String>> reads = new ArrayList<>();
        try {
            for (String n : names) {
                reads.add(redis().hget(PREFIX + n, "nusd").toCompletableFuture());
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(v -> {
                    long[] out = new long[reads.size()];
                    for (int i = 0; i < out.length; i++) {
                        String s = reads.get(i).join();
                        out[i] = s == null ? 0 : Long.parseLong(s);
                    }
                    return out;
                });
    }

    @Override
    public void add(List<Counter> counters, Totals delta) {
        String[] keys = new String[2 * counters.size()];
        String[] args = new String[5 + 2 * counters.size()];
        args[0] = Long.toString(delta.nanos());
        args[1] = Long.toString(delta.input());
        args[2] = Long.toString(delta.output());
        args[3] = Long.toString(delta.cached());
        args[4] = Long.toString(delta.requests());
        for (int i = 0; i < counters.size(); i++) {
            Counter c = counters.get(i);
            keys[2 * i] = PREFIX + c.name();
            keys[2 * i + 1] = INDEX + c.window();
            args[5 + 2 * i] = c.member();
            args[6 + 2 * i] = Long.toString(Math.max(1, c.ttl().toSeconds()));
        }
        send(new Pending(keys, args), true);
    }

    private void send(Pending p, boolean fresh) {
        CompletableFuture<Object> sent;
        try {
            sent = redis().eval(ADD, ScriptOutputType.INTEGER, p.keys(), p.args()).toCompletableFuture();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.orTimeout(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            if (e == null) {
                if (fresh) {
                    resend();
                }
                return;
            }
            if (pendingCount.incrementAndGet() > MAX_PENDING) {
                pendingCount.decrementAndGet();
                LOG.error("spend: Redis has failed {} additions in a row; this one is dropped", MAX_PENDING);
                return;
            }
            pending.add(p);
            LOG.warn("spend: Redis did not take an addition ({}); it is kept and sent again ({} waiting)",
                    e.getClass().getSimpleName(), pendingCount.get());
        });
    }

    /** After an addition got through: the ones kept from an outage, once each (a failure keeps them again). */
    private void resend() {
        for (int n = pendingCount.get(); n > 0; n--) {
            Pending p = pending.poll();
            if (p == null) {
                return;
            }
            pendingCount.decrementAndGet();
            send(p, false);
        }
    }

    @Override
    public CompletableFuture<Map<String, Totals>> totals(List<String> names) {
        Map<String, CompletableFuture<Map<String, String>>> reads = new HashMap<>();
        try {
            for (String n : names) {
                reads.put(n, redis().hgetall(PREFIX + n).toCompletableFuture());
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.allOf(reads.values().toArray(CompletableFuture[]::new))
                .orTimeout(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(v -> {
                    Map<String, Totals> out = new HashMap<>();
                    reads.forEach((n, f) -> {
                        Map<String, String> h = f.join();
                        if (!h.isEmpty()) {
                            out.put(n, new Totals(field(h, "nusd"), field(h, "in"), field(h, "out"),
                                    field(h, "cached"), field(h, "req")));
                        }
                    });
                    return out;
                });
    }

    private static long field(Map<String, String> h, String f) {
        String s = h.get(f);
        return s == null ? 0 : Long.parseLong(s);
    }

    @Override
    public CompletableFuture<Set<String>> members(String window) {
        try {
            return redis().smembers(INDEX + window).toCompletableFuture()
                    .orTimeout(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).thenApply(Set::copyOf);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public boolean failClosed() {
        return settings.failClosed();
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
}
