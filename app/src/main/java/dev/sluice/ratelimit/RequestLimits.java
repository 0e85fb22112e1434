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
 * Requests and tokens per minute, per key and per model alias: one {@link WindowLimits} decision per request,
 * in Redis when REDIS_URL is set, else in process. Tokens are reserved at admission and settled from the real
 * usage when the response ends ({@link #settle}).
 *
 * <p>With Redis, no decision waits longer than REDIS_TIMEOUT_MS. A failed or late decision is taken by the
 * failure mode: open (default) decides on a local window whose limits are divided by REDIS_REPLICAS_HINT;
 * closed refuses the request. After {@link #PAUSE_AFTER} failures in a row Redis is skipped for {@link #PAUSE},
 * so a hung server does not cost every request the full timeout.
 *
 * <p>Windows are clock minutes. In process they are read from a {@link Clock} (the system's unless one is given);
 * in Redis from Redis' own clock, which every replica shares, unless a clock was given: then that clock decides
 * Redis' windows too, so a test can hold a window open or end it without waiting for a minute boundary.
 */
public final class RequestLimits implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RequestLimits.class);
    public static final long WINDOW_MILLIS = 60_000;
    static final Duration PAUSE = Duration.ofMillis(250);
    /** Consecutive failed decisions after which Redis is skipped for {@link #PAUSE}: one late answer is not enough. */
    static final int PAUSE_AFTER = 3;

    public enum Kind { REQUESTS, TOKENS }

    /** A limit on one counter: {@code scope} is e.g. {@code key:team-a} or {@code model:llama}. */
    public record Limit(String scope, Kind kind, long perMinute) {}

    /**
     * The decision.
     *
     * @param unavailable the store could not decide and the failure mode is closed
     * @param limits the limits that were checked, with {@code remaining} in the same order
     * @param store where the charge went, for settlement
     */
    public record Admission(boolean allowed, boolean unavailable, Limit deniedBy, long resetMillis, List<Limit> limits,
            long[] remaining, long reservedTokens, long window, WindowLimits store) {
        public long retryAfterSeconds() {
            return Math.max(1, (resetMillis + 999) / 1000);
        }
    }

    private final RedisWindowLimits redis;
    private final LocalWindowLimits local;
    private final LocalWindowLimits fallback;
    private final RedisSettings settings;
    private volatile long skipUntilNanos;
    private final java.util.concurrent.atomic.AtomicInteger consecutiveFailures =
            new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong fallbacks = new java.util.concurrent.atomic.AtomicLong();

    /** Decisions taken by the failure mode because Redis failed, was late or was down. */
    public long fallbackDecisions() {
        return fallbacks.get();
    }

    /** Limits on the system clock, and on Redis' clock for the windows kept in Redis. */
    public RequestLimits(RedisSettings settings) {
        this(settings, Clock.systemUTC(), false);
    }

    /** Limits on {@code clock}, the windows kept in Redis included (tests). */
    public RequestLimits(RedisSettings settings, Clock clock) {
        this(settings, clock, true);
    }

    private RequestLimits(RedisSettings settings, Clock clock, boolean clockDecidesRedis) {
        this.settings = settings;
        this.local = new LocalWindowLimits(clock::millis);
        this.fallback = new LocalWindowLimits(clock::millis);
        if (settings.enabled()) {
            this.redis = new RedisWindowLimits(settings.url(), settings.timeout(),
                    clockDecidesRedis ? clock::millis : null);
            redis.awaitConnected(Duration.ofSeconds(2));
            warmUp();
            LOG.info("rate limits shared through Redis at {} (timeout {} ms, failure mode {})", settings.safeUrl(),
                    settings.timeout().toMillis(), settings.failClosed() ? "closed" : "open");
        } else {
            this.redis = null;
        }
    }

    /**
     * One decision with no counters before the first request: loads the script path (classes, JIT, Redis' script
     * cache) so the first real decision is not the one that misses REDIS_TIMEOUT_MS and falls back.
     */
    private void warmUp() {
        try {
            redis.acquire(List.of(), WINDOW_MILLIS).get(2, TimeUnit.SECONDS);
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
        List<WindowLimits.Check> checks = new ArrayList<>();
        for (Limit l : limits) {
            checks.add(new WindowLimits.Check(l.scope() + ":" + (l.kind() == Kind.REQUESTS ? "rpm" : "tpm"),
                    l.perMinute(), l.kind() == Kind.REQUESTS ? 1 : reserveTokens));
        }
        if (redis == null) {
            return CompletableFuture.completedFuture(admission(limits, reserveTokens, local.decide(checks,
                    WINDOW_MILLIS), local));
        }
        if (System.nanoTime() - skipUntilNanos < 0 || !redis.connected()) {
            return CompletableFuture.completedFuture(failed(limits, checks, reserveTokens));
        }
        return redis.acquire(checks, WINDOW_MILLIS)
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(o -> {
                    consecutiveFailures.set(0);
                    return admission(limits, reserveTokens, o, redis);
                })
                .exceptionally(e -> {
                    if (answeredWithError(e)) {
                        // Redis is up and said no to this one script call: not an outage, so it must not pause Redis
                        // for every tenant (issue 13); arguments are clamped, so this is a bug worth an error line
                        LOG.error("Redis refused a limit decision: {}", rootCause(e).getMessage());
                        return failed(limits, checks, reserveTokens);
                    }
                    if (consecutiveFailures.incrementAndGet() >= PAUSE_AFTER) {
                        skipUntilNanos = System.nanoTime() + PAUSE.toNanos();
                    }
                    LOG.warn("Redis limit decision failed ({}); failure mode {} for {} ms", e.getClass().getSimpleName(),
                            settings.failClosed() ? "closed" : "open", PAUSE.toMillis());
                    return failed(limits, checks, reserveTokens);
                });
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

    private Admission failed(List<Limit> limits, List<WindowLimits.Check> checks, long reserveTokens) {
        fallbacks.incrementAndGet();
        if (settings.failClosed()) {
            return new Admission(false, true, null, 1000, limits, new long[limits.size()], 0, 0, null);
        }
        int hint = settings.replicasHint();
        List<WindowLimits.Check> scaled = checks.stream().map(c -> new WindowLimits.Check(c.counter(),
                Math.max(1, c.limit() / hint), c.cost())).toList();
        return admission(limits, reserveTokens, fallback.decide(scaled, WINDOW_MILLIS), fallback);
    }

    private static Admission admission(List<Limit> limits, long reserve, WindowLimits.Outcome o, WindowLimits store) {
        return new Admission(o.allowed(), false, o.denied() < 0 ? null : limits.get(o.denied()), o.resetMillis(),
                limits, o.remaining(), reserve, o.window(), store);
    }

    /** Replaces the reservation with the tokens really used; {@code usedTokens} < 0 keeps the reservation. */
    public void settle(Admission a, long usedTokens) {
        if (!a.allowed() || a.store() == null || usedTokens < 0 || usedTokens == a.reservedTokens()) {
            return;
        }
        for (Limit l : a.limits()) {
            if (l.kind() == Kind.TOKENS) {
                a.store().adjust(l.scope() + ":tpm", a.window(), usedTokens - a.reservedTokens())
                        .orTimeout(1, TimeUnit.SECONDS)
                        .exceptionally(e -> null);
            }
        }
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
    }
}
