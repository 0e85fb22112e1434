package dev.sluice.routing;

import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The attempts of one request: first the alias's pool (the first try plus up to {@code retries} more,
 * preferring deployments not yet tried), then each fallback pool in order. Every attempt after the first
 * needs the retry budget, and never goes to an ejected deployment, nor again to one whose
 * {@code Retry-After} exceeds the policy's cap. When everything failed, the error names every attempt.
 * Not thread-safe.
 */
public final class Route {
    private final String clientModel;
    private final List<Pool> chain;
    private final RetryPolicy policy;
    private final RetryBudget budget;
    private final Router.RouteEvents events;
    private final Set<Upstream> tried = new HashSet<>();
    private final Set<Upstream> failed = new HashSet<>();
    private final List<String> log = new ArrayList<>();
    private final List<String> summary = new ArrayList<>();
    private int poolIndex;
    private int attemptsInPool;
    private int attempts;
    private boolean holdsRetry;
    private boolean started;
    private java.util.function.Supplier<String> affinity = () -> null;
    private String affinityKey;
    private boolean affinityRead;

    /** What to do after an attempt failed. */
    public sealed interface Decision {
        /** Try {@code upstream} (another deployment of the same pool, or the same one again) after the delay. */
        record Retry(Upstream upstream, long delayNanos) implements Decision {}

        /** The alias's pool is spent: try {@code upstream} of the next fallback pool after the delay. */
        record Fallback(Upstream upstream, long delayNanos) implements Decision {}

        /** The request has failed for good. */
        record GiveUp(Reason reason) implements Decision {}
    }

    /** Why a request gives up. */
    public enum Reason { NOT_RETRYABLE, RETRY_BUDGET_EXHAUSTED, NO_DEPLOYMENT_LEFT }

    Route(String clientModel, List<Pool> chain, RetryPolicy policy, RetryBudget budget, Router.RouteEvents events) {
        this.clientModel = clientModel;
        this.chain = chain;
        this.policy = policy;
        this.budget = budget;
        this.events = events;
    }

    public String clientModel() {
        return clientModel;
    }

    public Pool pool() {
        return chain.get(0);
    }

    /**
     * What identifies the request's conversation for prefix affinity (a session id, a prompt-cache key, a hash of
     * its opening); null for none. Set by the endpoint, which parsed the request; routing never reads bodies.
     */
    public Route affinity(java.util.function.Supplier<String> key) {
        this.affinity = key;
        this.affinityRead = false;
        return this;
    }

    /** The conversation's key, worked out on first use only (a digest of a long prompt is not free). */
    public String affinityKey() {
        if (!affinityRead) {
            affinityRead = true;
            affinityKey = affinity.get();
        }
        return affinityKey;
    }

    private String keyFor(Pool p) {
        return p.strategy() == Pool.Strategy.PREFIX_AFFINITY ? affinityKey() : null;
    }

    /**
     * The first deployment to try: of the alias's pool, else of the first fallback pool with one to offer.
     *
     * @throws GatewayException 503 with {@code Retry-After} when every deployment of every pool is ejected (or
     *     on probation with its probe already out): failing fast costs the fleet nothing, while sending the
     *     request anyway is the retry storm that keeps a recovering fleet down (reliability.md G6)
     */
    public Upstream first() {
        if (!started) {
            started = true;
            budget.requestStarted();
        }
        long now = System.nanoTime();
        for (int i = 0; i < chain.size(); i++) {
            Upstream u = chain.get(i).pick(tried, now, keyFor(chain.get(i)));
            if (u != null) {
                if (i > 0) {
                    poolIndex = i;
                    attemptsInPool = 0;
                    events.fallback(chain.get(0).alias());
                }
                mark(u);
                return u;
            }
        }
        throw unavailable(now);
    }

    /** A deployment to prepare a request for without sending it yet (token counts); as {@link #first()}. */
    public Upstream peek() {
        long now = System.nanoTime();
        for (Pool p : chain) {
            Upstream u = p.pick(Set.of(), now, keyFor(p));
            if (u != null) {
                return u;
            }
        }
        throw unavailable(now);
    }

    private GatewayException unavailable(long now) {
        long at = Long.MAX_VALUE;
        for (Pool p : chain) {
            at = Math.min(at, p.availableAt(now));
        }
        long seconds = Math.max(1, (at - now + 999_999_999L) / 1_000_000_000L);
        return GatewayException.of(ErrorKind.OVERLOADED, Cause.NO_DEPLOYMENT_AVAILABLE, "every deployment of '"
                + clientModel + "' is failing and resting; try again in " + seconds + " s")
                .withHeader("Retry-After", Long.toString(seconds));
    }

    private void mark(Upstream u) {
        tried.add(u);
        attempts++;
        attemptsInPool++;
        events.attempt(u);
    }

    /** After {@code u} failed with {@code e}: the next try, or why there is none. */
    public Decision next(Upstream u, GatewayException e) {
        log.add(u.id() + ": " + (e.status() > 0 ? "HTTP " + e.status() + " " : "") + shorten(e.getMessage()));
        summary.add(u.id().replaceAll("[^\\x21-\\x7e]", "_") + "=" + (e.status() > 0 ? e.status() : 0));
        failed.add(u);
        releaseRetry();
        if (!policy.retryable(e)) {
            return new Decision.GiveUp(Reason.NOT_RETRYABLE);
        }
        long now = System.nanoTime();
        while (poolIndex < chain.size()) {
            Pool pool = chain.get(poolIndex);
            if (attemptsInPool <= policy.retries()) {
                // the pool offers only deployments that may take a request: never an ejected one, since retrying
                // onto one is what turns a failing fleet into a retry storm
                Upstream candidate = pool.pick(tried, now, keyFor(pool));
                if (candidate == null) {
                    // every deployment tried: go round the healthy ones again
                    candidate = pool.pick(Set.of(), now, keyFor(pool));
                }
                if (candidate == u && policy.waitsTooLong(e)) {
                    candidate = null; // it asked for a longer pause than we wait: not again for this request
                }
                if (candidate != null) {
                    // a refused connection sent nothing anywhere, so moving it costs no upstream any work: it needs
                    // no budget (a deployment killed under load would otherwise fail more requests than min 3)
                    if (!Upstream.refused(e)) {
                        if (!budget.tryRetry()) {
                            log.add("retry budget exhausted");
                            return new Decision.GiveUp(Reason.RETRY_BUDGET_EXHAUSTED);
                        }
                        holdsRetry = true;
                    }
                    long delay = failed.contains(candidate) ? policy.delayNanos(attemptsInPool, e) : 0;
                    mark(candidate);
                    if (poolIndex == 0) {
                        events.retry(pool.alias());
                        return new Decision.Retry(candidate, delay);
                    }
                    events.fallback(chain.get(0).alias());
                    return new Decision.Fallback(candidate, delay);
                }
            }
            poolIndex++;
            attemptsInPool = 0;
        }
        return new Decision.GiveUp(Reason.NO_DEPLOYMENT_LEFT);
    }

    /**
     * The error to give the client when every attempt failed: the last attempt's own error, unchanged (its type
     * and message are what clients act on: Claude Code compacts on "prompt is too long"), with every attempt
     * listed in {@code x-sluice-attempts} ({@code deployment=status,...}) and in {@link #log()}.
     */
    public GatewayException finalError(GatewayException last) {
        if (attempts <= 1 || summary.isEmpty()) {
            return last;
        }
        return last.withHeader("x-sluice-attempts", String.join(",", summary));
    }

    /** The request is over, successfully or not. */
    public void finish() {
        releaseRetry();
        if (started) {
            started = false;
            budget.requestFinished();
        }
    }

    private void releaseRetry() {
        if (holdsRetry) {
            holdsRetry = false;
            budget.retryDone();
        }
    }

    private static String shorten(String m) {
        return m == null ? "" : m.length() > 160 ? m.substring(0, 160) + "…" : m;
    }

    public int attempts() {
        return attempts;
    }

    /** For tests and logs: the attempts made so far. */
    public List<String> log() {
        return List.copyOf(log);
    }
}
