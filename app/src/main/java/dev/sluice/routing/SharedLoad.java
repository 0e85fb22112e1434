package dev.sluice.routing;

import io.lettuce.core.KeyValue;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Shares the runtimes' load readings between replicas through Redis, so N replicas do not each scrape every
 * runtime's metrics page every poll interval (a vLLM {@code /metrics} page is tens of kilobytes of text to render
 * and parse). A replica that scraped a runtime publishes the reading as {@code sluice:load:<deployment id>} =
 * {@code <epoch ms> <running> <waiting> <cache use> <capacity>}, expiring after three poll intervals; before its
 * next round a replica reads the keys of the deployments it watches (one MGET) and takes any reading younger than
 * one interval as its own, scraping only the rest. Deployment ids must be the same on every replica (one config
 * file). Redis down or slow means every replica scrapes for itself, as without Redis.
 */
public final class SharedLoad implements AutoCloseable {
    private static final String PREFIX = "sluice:load:";

    private final RedisLink redis;
    private final Duration timeout;

    /** A reading as published: when (wall clock), and what the runtime said ({@code NaN} for what it did not). */
    record Reading(long epochMillis, double running, double waiting, double cacheUsage, double capacity) {
        /** As this replica's own signal: stamped as old as it is, with the requests this replica has sent since. */
        LoadSignal signal(long nowEpochMillis, long nowNanos, int inFlight) {
            long ageNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, nowEpochMillis - epochMillis));
            return new LoadSignal(running, waiting, cacheUsage, nowNanos - ageNanos, inFlight, capacity);
        }
    }

    /** @param timeout the longest a poll round waits for Redis before scraping everything itself */
    public SharedLoad(String url, Duration timeout) {
        this.redis = new RedisLink(url, "shared load readings");
        this.timeout = timeout;
    }

    /** The readings of {@code ids} younger than {@code maxAgeMillis}, by id; empty when Redis cannot say. */
    CompletableFuture<Map<String, Reading>> fresh(Collection<String> ids, long maxAgeMillis) {
        StatefulRedisConnection<String, String> c = redis.connection();
        if (c == null || ids.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        String[] keys = ids.stream().map(id -> PREFIX + id).toArray(String[]::new);
        return c.async().mget(keys).toCompletableFuture().copy()
                .completeOnTimeout(List.of(), timeout.toMillis(), TimeUnit.MILLISECONDS)
                .<Map<String, Reading>>thenApply(values -> {
                    long now = System.currentTimeMillis();
                    Map<String, Reading> out = new HashMap<>();
                    for (KeyValue<String, String> kv : values) {
                        Reading r = kv.hasValue() ? parse(kv.getValue()) : null;
                        if (r != null && now - r.epochMillis() < maxAgeMillis) {
                            out.put(kv.getKey().substring(PREFIX.length()), r);
                        }
                    }
                    return out;
                })
                .exceptionally(e -> Map.of());
    }

    /** Publishes what this replica just read from deployment {@code id}'s runtime. */
    void publish(String id, LoadSignal s, long ttlMillis) {
        StatefulRedisConnection<String, String> c = redis.connection();
        if (c == null || s.empty()) {
            return;
        }
        String value = System.currentTimeMillis() + " " + number(s.running()) + " " + number(s.waiting()) + " "
                + number(s.cacheUsage()) + " " + number(s.capacity());
        try {
            c.async().set(PREFIX + id, value, SetArgs.Builder.px(Math.max(1, ttlMillis)));
        } catch (RuntimeException e) {
            // disconnected: the next round scrapes again
        }
    }

    private static String number(double d) {
        return Double.isNaN(d) ? "NaN" : String.format(Locale.ROOT, "%s", d);
    }

    /** Null for anything that is not five numbers (another version's format, a hand-written key). */
    static Reading parse(String value) {
        String[] p = value.trim().split(" ");
        if (p.length != 5) {
            return null;
        }
        try {
            return new Reading(Long.parseLong(p[0]), Double.parseDouble(p[1]), Double.parseDouble(p[2]),
                    Double.parseDouble(p[3]), Double.parseDouble(p[4]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Waits up to {@code max} for the Redis connection (startup and tests). */
    public boolean awaitConnected(Duration max) throws InterruptedException {
        return redis.awaitConnected(max);
    }

    @Override
    public void close() {
        redis.close();
    }
}
