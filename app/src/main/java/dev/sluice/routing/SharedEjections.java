package dev.sluice.routing;

import io.lettuce.core.KeyValue;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares passive-health ejections between replicas through Redis, so that when one replica ejects a failing
 * deployment the others stop sending it traffic too, instead of each finding out with failed requests of its
 * own. An ejection is published as {@code sluice:ejected:<deployment id>} holding the wall-clock end of the
 * cooldown, expiring with it; every replica polls those keys each second and adopts any ejection that ends
 * later than its own. Redis being down only means replicas decide alone, as without Redis.
 */
public final class SharedEjections implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SharedEjections.class);
    private static final String PREFIX = "sluice:ejected:";

    private final RedisLink redis;
    private final Map<String, Upstream> byId = new LinkedHashMap<>();
    private final ScheduledExecutorService poller;
    private final Duration timeout;

    /**
     * @param pollEvery how often to read the other replicas' ejections; null to poll only when {@link #poll()}
     *     is called (tests)
     */
    public SharedEjections(String url, Duration timeout, Router router, Duration pollEvery) {
        this.timeout = timeout;
        for (Pool p : router.pools()) {
            for (Upstream u : p.upstreams()) {
                byId.putIfAbsent(u.id(), u);
            }
        }
        this.redis = new RedisLink(url, "shared ejections");
        if (pollEvery != null) {
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sluice-ejections");
                t.setDaemon(true);
                return t;
            });
            poller.scheduleWithFixedDelay(this::poll, pollEvery.toMillis(), pollEvery.toMillis(),
                    TimeUnit.MILLISECONDS);
        } else {
            poller = null;
        }
    }

    /** Tells the other replicas that {@code u} is ejected until its current cooldown ends. */
    public void ejected(Upstream u) {
        StatefulRedisConnection<String, String> c = redis.connection();
        if (c == null) {
            return;
        }
        long remainingNanos = u.ejectedUntil() - System.nanoTime();
        if (remainingNanos <= 0) {
            return;
        }
        long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNanos));
        long untilEpoch = System.currentTimeMillis() + ms;
        c.async().set(PREFIX + u.id(), Long.toString(untilEpoch), SetArgs.Builder.px(ms));
    }

    /** Adopts the ejections other replicas published. */
    public void poll() {
        StatefulRedisConnection<String, String> c = redis.connection();
        if (c == null || byId.isEmpty()) {
            return;
        }
        try {
            List<String> keys = new ArrayList<>(byId.size());
            byId.keySet().forEach(id -> keys.add(PREFIX + id));
            List<KeyValue<String, String>> values = c.async().mget(keys.toArray(String[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            long nowEpoch = System.currentTimeMillis();
            long nowNanos = System.nanoTime();
            for (KeyValue<String, String> kv : values) {
                if (!kv.hasValue()) {
                    continue;
                }
                long untilEpoch = Long.parseLong(kv.getValue());
                if (untilEpoch > nowEpoch) {
                    Upstream u = byId.get(kv.getKey().substring(PREFIX.length()));
                    if (u != null) {
                        u.adoptEjection(nowNanos + TimeUnit.MILLISECONDS.toNanos(untilEpoch - nowEpoch));
                    }
                }
            }
        } catch (Exception e) {
            LOG.debug("shared ejections: poll failed ({})", e.getClass().getSimpleName());
        }
    }

    /** Waits up to {@code max} for the Redis connection (startup and tests). */
    public boolean awaitConnected(Duration max) throws InterruptedException {
        return redis.awaitConnected(max);
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
        redis.close();
    }
}
