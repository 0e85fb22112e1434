package dev.sluice.routing;

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

    /** The first deployment to try. */
    public Upstream first() {
        if (!started) {
            started = true;
            budget.requestStarted();
        }
        Upstream u = chain.get(0).pick(tried, System.nanoTime());
        mark(u);
        return u;
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
                Upstream candidate = pool.pick(tried, now);
                if (candidate == null || candidate.ejected(now)) {
                    // every deployment tried, or only ejected ones left untried: go round the healthy ones again
                    candidate = pool.pick(Set.of(), now);
                }
                if (candidate != null && candidate.ejected(now)) {
                    // the pool keeps an ejected deployment in service for first attempts only (never all
                    // ejected); retrying onto one is what turns a failing fleet into a retry storm
                    candidate = null;
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
