package dev.sluice.routing;

import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The attempts of one request: first the alias's pool (the first try plus up to {@code retries} more,
 * preferring deployments not yet tried), then each fallback pool in order. Every attempt after the first
 * needs the retry budget, and never goes to an ejected deployment, nor again to one whose
 * {@code Retry-After} exceeds the policy's cap. When everything failed, the error names every attempt.
 * Each attempt holds an admission slot ({@link Permit}) on its deployment until the attempt ends; a first attempt
 * that finds every deployment full waits for one in the pool's queue ({@link #admit}). Not thread-safe, except for
 * the admission state, which the client's loop, the queue's deadline and a releasing request may touch at once.
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
    private final Ticket ticket;
    /** The slot of the current attempt; released when the request is over or moves to another deployment. */
    private volatile Permit permit;

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
        this.ticket = new Ticket(events);
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

    /** Who is asking, for admission control: the key's name (turns are fair between names) and its priority. */
    public Route caller(String name, int priority) {
        ticket.caller(name, priority);
        return this;
    }

    /** Where a queued request's deadline runs and its slot is handed over: the client connection's event loop. */
    public Route waitOn(ScheduledExecutorService loop) {
        ticket.loop(loop);
        return this;
    }

    /** Whether the request is waiting in a pool's admission queue now. */
    public boolean queued() {
        return ticket.queued();
    }

    /**
     * The first deployment to try, without waiting: of the alias's pool, else of the first fallback pool with one
     * to offer.
     *
     * @throws GatewayException 503 with {@code Retry-After} when every deployment of every pool is ejected (or
     *     on probation with its probe already out): failing fast costs the fleet nothing, while sending the
     *     request anyway is the retry storm that keeps a recovering fleet down (reliability.md G6); 429 (529 for
     *     Anthropic) when every deployment is at its concurrency limit
     */
    public Upstream first() {
        start();
        long now = System.nanoTime();
        for (int i = 0; i < chain.size(); i++) {
            Pool p = chain.get(i);
            switch (p.admission().enter(ticket.caller(), ticket.priority(), keyFor(p), now, false, Ticket.NO_WAIT)) {
                case Admission.Entry.Unavailable u -> {
                    continue;
                }
                case Admission.Entry.Admitted a -> {
                    return admitted(a.permit(), i, 0);
                }
                case Admission.Entry.Full f -> throw ticket.full(p, now);
                case Admission.Entry.Queued q -> throw new IllegalStateException("queued without leave to wait");
            }
        }
        throw unavailable(now);
    }

    /**
     * The first deployment to try, once it has room for the request: at once when one has, else after waiting its
     * turn in the pool's queue (priority, then fair turns between callers) for at most {@code queue_timeout}. Fails
     * as {@link #first()} does, and with 429 / 529 and {@code Retry-After} when the queue is full or the deadline
     * passes ({@link Cause#QUEUE_FULL}, {@link Cause#QUEUE_TIMEOUT}: never a 5xx, no deployment saw the request).
     */
    public CompletableFuture<Upstream> admit() {
        start();
        long now = System.nanoTime();
        for (int i = 0; i < chain.size(); i++) {
            Pool p = chain.get(i);
            int index = i;
            CompletableFuture<Permit> slot = new CompletableFuture<>();
            switch (p.admission().enter(ticket.caller(), ticket.priority(), keyFor(p), now, true,
                    ticket.handOver(p, slot))) {
                case Admission.Entry.Unavailable u -> {
                    continue;
                }
                case Admission.Entry.Admitted a -> {
                    return CompletableFuture.completedFuture(admitted(a.permit(), i, 0));
                }
                case Admission.Entry.Full f -> {
                    return CompletableFuture.failedFuture(ticket.full(p, now));
                }
                case Admission.Entry.Queued q -> {
                    return ticket.await(p, q.waiter(), slot, now)
                            .thenApply(granted -> admitted(granted, index, System.nanoTime() - now));
                }
            }
        }
        return CompletableFuture.failedFuture(unavailable(now));
    }

    /**
     * The client left: a request still waiting for a slot leaves the queue at once (its slot, should one be on its
     * way, goes to the next waiter); a request with a slot keeps it until its attempt ends, as always.
     */
    public void clientGone() {
        ticket.leave();
    }

    private void start() {
        if (!started) {
            started = true;
            budget.requestStarted();
        }
    }

    /** The request holds {@code p} now: its first attempt, in the chain's pool {@code index}. */
    private Upstream admitted(Permit p, int index, long waitNanos) {
        permit = p;
        Pool pool = chain.get(index);
        if (index > 0) {
            poolIndex = index;
            attemptsInPool = 0;
            events.fallback(chain.get(0).alias());
        }
        if (pool.admission().limited()) {
            events.admission(pool.alias(), ticket.caller(), Router.AdmissionOutcome.ADMITTED, waitNanos);
        }
        mark(pool, p.upstream());
        return p.upstream();
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

    private void mark(Pool pool, Upstream u) {
        tried.add(u);
        attempts++;
        attemptsInPool++;
        events.attempt(u);
        events.chosen(pool.alias(), u.id(), pool.strategy());
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
                // only a deployment with room, or the one whose slot this request holds: a retry never waits in
                // the queue, and never takes a slot it would have had to queue for
                Permit holding = permit;
                Permit slot = pool.admission().retry(tried, now, keyFor(pool), holding);
                if (slot == null) {
                    // every deployment tried: go round the healthy ones again
                    slot = pool.admission().retry(Set.of(), now, keyFor(pool), holding);
                }
                Upstream candidate = slot == null ? null : slot.upstream();
                if (candidate == u && policy.waitsTooLong(e)) {
                    candidate = null; // it asked for a longer pause than we wait: not again for this request
                }
                if (candidate == null && slot != null && slot != holding) {
                    slot.release();
                }
                if (candidate != null) {
                    // a refused connection sent nothing anywhere, so moving it costs no upstream any work: it needs
                    // no budget (a deployment killed under load would otherwise fail more requests than min 3)
                    if (!Upstream.refused(e)) {
                        if (!budget.tryRetry()) {
                            log.add("retry budget exhausted");
                            if (slot != holding) {
                                slot.release();
                            }
                            return new Decision.GiveUp(Reason.RETRY_BUDGET_EXHAUSTED);
                        }
                        holdsRetry = true;
                    }
                    if (slot != holding) {
                        permit = slot;
                        if (holding != null) {
                            holding.release();
                        }
                    }
                    long delay = failed.contains(candidate) ? policy.delayNanos(attemptsInPool, e) : 0;
                    mark(pool, candidate);
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
        ticket.leave();
        Permit p = permit;
        if (p != null) {
            p.release();
        }
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
