package dev.sluice.ratelimit;

import dev.sluice.config.RedisSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests and tokens per minute, per caller, key and model alias: one {@link Buckets} decision per request, by
 * {@link Gcra} (a token bucket: {@code burst} at once, refilled at the limit per minute), in Redis when REDIS_URL is
 * set, else in process, with the same arithmetic in both. Tokens are reserved at admission and settled from the
 * real usage when the response ends ({@link #settle}).
 *
 * <p>With Redis, no decision waits longer than REDIS_TIMEOUT_MS. A failed or late decision is taken by the
 * failure mode: open (default) decides on this replica's share of each limit, the limit and burst divided by the
 * live replicas ({@link Replicas}); closed refuses the request. The share bucket is also charged (up to full) for
 * every request Redis admits here, so it only holds what this replica has not used: a Redis that turns slow or goes
 * away hands over to shares that together admit no more than the limit; and what a share admits is charged to
 * Redis afterwards (best effort), so the replicas still deciding in Redis see it. After {@link #PAUSE_AFTER} failures in a
 * row Redis is skipped for {@link #PAUSE}, so a hung server does not cost every request the full timeout.
 *
 * <p>Time is read from a {@link Clock} in process (the system's unless one is given) and from Redis' own clock,
 * which every replica shares, unless a clock was given: then that clock decides in Redis too, so a test can hold
 * time still or move it without waiting.
 */
public final class RequestLimits implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RequestLimits.class);
    /** The period every limit is counted over: a limit of n refills n per minute. */
    public static final long WINDOW_MILLIS = 60_000;
    static final Duration PAUSE = Duration.ofMillis(250);
    /** Consecutive failed decisions after which Redis is skipped for {@link #PAUSE}: one late answer is not enough. */
    static final int PAUSE_AFTER = 3;

    public enum Kind { REQUESTS, TOKENS }

    /**
     * A limit on one bucket: {@code scope} is e.g. {@code key:team-a} or {@code model:llama}; {@code burst} is how
     * much of it may be used at once (the bucket's size).
     */
    public record Limit(String scope, Kind kind, long perMinute, long burst) {
        /** A limit whose whole minute may be used at once. */
        public Limit(String scope, Kind kind, long perMinute) {
            this(scope, kind, perMinute, perMinute);
        }

        String bucket() {
            return scope + ":" + (kind == Kind.REQUESTS ? "rpm" : "tpm");
        }
    }

    /**
     * The decision.
     *
     * @param unavailable the store could not decide and the failure mode is closed
     * @param resetMillis refused: until the request would fit; admitted: until every bucket is full again
     * @param limits the limits that were checked, with {@code remaining} in the same order
     * @param store where the charge went, for settlement
     * @param scale what one request or token was charged as there: the live replicas in the fallback share, else 1
     */
    public record Admission(boolean allowed, boolean unavailable, Limit deniedBy, long resetMillis, List<Limit> limits,
            long[] remaining, long reservedTokens, Buckets store, long scale) {
        public long retryAfterSeconds() {
            return Math.max(1, (resetMillis + 999) / 1000);
        }
    }

    private final RedisBuckets redis;
    private final Replicas replicas;
    private final LocalBuckets local;
    private final LocalBuckets share;
    private final RedisSettings settings;
    private volatile long skipUntilNanos;
    private final java.util.concurrent.atomic.AtomicInteger consecutiveFailures =
            new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong fallbacks = new java.util.concurrent.atomic.AtomicLong();

    /** Decisions taken by the failure mode because Redis failed, was late or was down. */
    public long fallbackDecisions() {
        return fallbacks.get();
    }

    /** Replicas sharing the limits (through Redis); 1 without Redis. */
    public int liveReplicas() {
        return replicas == null ? 1 : replicas.live();
    }

    /** Limits on the system clock, and on Redis' clock for the buckets kept in Redis. */
    public RequestLimits(RedisSettings settings) {
        this(settings, Clock.systemUTC(), false);
    }

    /** Limits on {@code clock}, the buckets kept in Redis included (tests). */
    public RequestLimits(RedisSettings settings, Clock clock) {
        this(settings, clock, true);
    }

    private RequestLimits(RedisSettings settings, Clock clock, boolean clockDecidesRedis) {
        this.settings = settings;
        this.local = new LocalBuckets(clock::millis);
        this.share = new LocalBuckets(clock::millis);
        if (settings.enabled()) {
            this.redis = new RedisBuckets(settings.url(), settings.timeout(), clockDecidesRedis ? clock::millis : null);
            redis.awaitConnected(Duration.ofSeconds(2));
            warmUp();
            this.replicas = new Replicas(settings.url(), settings.replicasHint());
            LOG.info("rate limits shared through Redis at {} (timeout {} ms, failure mode {}, {} live replicas)",
                    settings.safeUrl(), settings.timeout().toMillis(), settings.failClosed() ? "closed" : "open",
                    replicas.live());
        } else {
            this.redis = null;
            this.replicas = null;
        }
    }

    /**
     * One decision with no buckets before the first request: loads the script path (classes, JIT, Redis' script
     * cache) so the first real decision is not the one that misses REDIS_TIMEOUT_MS and falls back.
     */
    private void warmUp() {
        try {
            redis.acquire(List.of()).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Redis at {} did not answer at startup ({}); limits fall back until it does",
                    settings.safeUrl(), e.getClass().getSimpleName());
        }
    }

    /** Whether limits are shared through Redis. */
    public boolean shared() {
        return redis != null;
    }

    public CompletableFuture<Admission> admit(List<Limit> limits, long reserveTokens) {
        List<Buckets.Check> checks = checks(limits, reserveTokens, 1);
        if (redis == null) {
            return CompletableFuture.completedFuture(admission(limits, reserveTokens, checks,
                    local.decide(checks, false), local, 1));
        }
        if (System.nanoTime() - skipUntilNanos < 0 || !redis.connected()) {
            return CompletableFuture.completedFuture(failed(limits, reserveTokens, true));
        }
        return redis.acquire(checks)
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(o -> {
                    consecutiveFailures.set(0);
                    if (o.allowed()) {
                        int n = replicas.live();
                        share.decide(checks(limits, reserveTokens, n), true);
                    }
                    return admission(limits, reserveTokens, checks, o, redis, 1);
                })
                .exceptionally(e -> {
                    if (answeredWithError(e)) {
                        // Redis is up and said no to this one script call: not an outage, so it must not pause Redis
                        // for every tenant (issue 13); arguments are clamped, so this is a bug worth an error line
                        LOG.error("Redis refused a limit decision: {}", rootCause(e).getMessage());
                        return failed(limits, reserveTokens, false);
                    }
                    if (consecutiveFailures.incrementAndGet() >= PAUSE_AFTER) {
                        skipUntilNanos = System.nanoTime() + PAUSE.toNanos();
                    }
                    LOG.warn("Redis limit decision failed ({}); failure mode {} for {} ms", e.getClass().getSimpleName(),
                            settings.failClosed() ? "closed" : "open", PAUSE.toMillis());
                    // a late script may still run and charge Redis: charging it again would count the request twice
                    return failed(limits, reserveTokens, false);
                });
    }

    /** Each limit's bucket, with every request or token counted {@code scale} times (a 1/scale share). */
    private static List<Buckets.Check> checks(List<Limit> limits, long reserveTokens, long scale) {
        List<Buckets.Check> checks = new ArrayList<>();
        for (Limit l : limits) {
            long cost = l.kind() == Kind.REQUESTS ? 1 : reserveTokens;
            checks.add(new Buckets.Check(l.bucket(), l.perMinute(), l.burst(), Math.multiplyHigh(cost, scale) != 0
                    ? Long.MAX_VALUE : cost * scale));
        }
        return checks;
    }

    /** The server answered with an error reply (a script error), as opposed to not answering in time or at all. */
    static boolean answeredWithError(Throwable e) {
        return rootCause(e) instanceof io.lettuce.core.RedisCommandExecutionException;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** @param unsent no script went to Redis for this request: what the share admits is charged there afterwards */
    private Admission failed(List<Limit> limits, long reserveTokens, boolean unsent) {
        fallbacks.incrementAndGet();
        if (settings.failClosed()) {
            return new Admission(false, true, null, 1000, limits, new long[limits.size()], 0, null, 1);
        }
        int n = replicas.live();
        List<Buckets.Check> scaled = checks(limits, reserveTokens, n);
        Admission a = admission(limits, reserveTokens, scaled, share.decide(scaled, false), share, n);
        if (a.allowed() && unsent) {
            // tell Redis, if it takes it: else the other replicas, deciding in Redis, would not see this admission
            // and a replica skipping a slow Redis would add its whole share on top of the limit (+5 % measured)
            redis.force(checks(limits, reserveTokens, 1));
        }
        return a;
    }

    private static Admission admission(List<Limit> limits, long reserve, List<Buckets.Check> checks,
            Buckets.Outcome o, Buckets store, long scale) {
        long[] remaining = new long[limits.size()];
        long reset = 0;
        for (int i = 0; i < remaining.length; i++) {
            Buckets.Check c = checks.get(i);
            long capacity = Gcra.units(c.burst());
            remaining[i] = Gcra.remaining(o.levels()[i], capacity) / scale;
            reset = Math.max(reset, Gcra.fullInMillis(o.levels()[i], Gcra.rate(c.perMinute())));
        }
        if (!o.allowed()) {
            Buckets.Check c = checks.get(o.denied());
            reset = Gcra.waitMillis(o.levels()[o.denied()], Gcra.units(c.cost()), Gcra.units(c.burst()),
                    Gcra.rate(c.perMinute()));
        }
        return new Admission(o.allowed(), false, o.denied() < 0 ? null : limits.get(o.denied()), reset, limits,
                remaining, reserve, store, scale);
    }

    /** Replaces the reservation with the tokens really used; {@code usedTokens} < 0 keeps the reservation. */
    public void settle(Admission a, long usedTokens) {
        if (!a.allowed() || a.store() == null || usedTokens < 0 || usedTokens == a.reservedTokens()) {
            return;
        }
        for (Limit l : a.limits()) {
            if (l.kind() == Kind.TOKENS) {
                a.store().adjust(l.bucket(), l.perMinute(), (usedTokens - a.reservedTokens()) * a.scale())
                        .orTimeout(1, TimeUnit.SECONDS)
                        .exceptionally(e -> null);
            }
        }
    }

    @Override
    public void close() {
        if (redis != null) {
            replicas.close();
            redis.close();
        }
    }
}
