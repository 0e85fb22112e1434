package dev.sluice.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Admission control for one pool (docs/ROUTING.md, "Admission control"): a request is admitted to a deployment that
 * has room under its concurrency limit ({@link Upstream#limit}); when every healthy deployment is full it waits in a
 * bounded queue, served by priority and fairly between callers ({@link FairQueue}), until a slot frees or its
 * deadline passes. Slots are {@link Permit}s; a released one goes straight to the next waiter, so a free slot and a
 * waiting request never coexist. Every method takes the time as an argument and nothing here sleeps or schedules,
 * so the same code runs on event loops and in virtual time ({@code OverloadSimulationTest}). Guarded by the pool's
 * lock, under which {@link Pool#pick} chooses.
 */
public final class Admission {
    /** Timers for waiters of callers that gave no event loop (tests driving the dispatcher directly). */
    static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-admission");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param queueSize {@code queue_size}: requests that may wait per pool; one more is shed at once
     * @param queueTimeout {@code queue_timeout}: the longest a request waits for a slot before it is shed
     */
    public record Settings(int queueSize, Duration queueTimeout) {
        public static final int DEFAULT_QUEUE_SIZE = 1000;
        public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(10);

        public Settings {
            if (queueSize < 0 || queueTimeout.isNegative()) {
                throw new IllegalArgumentException("queue: " + queueSize + ", " + queueTimeout
                        + " (expected: >= 0)");
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_QUEUE_SIZE, DEFAULT_QUEUE_TIMEOUT);
        }
    }

    /** What becomes of a waiting request; called outside the pool's lock. */
    interface Listener {
        /** Its slot: the request holds it from now on. */
        void granted(Permit permit);

        /** A request of a higher priority took its place in the full queue: it is shed ({@code queue_size}). */
        void evicted(long now);
    }

    /** A request waiting for a slot. */
    static final class Waiter {
        final String caller;
        final int priority;
        final String affinityKey;
        final long sinceNanos;
        final Listener listener;

        Waiter(String caller, int priority, String affinityKey, long sinceNanos, Listener listener) {
            this.caller = caller;
            this.priority = priority;
            this.affinityKey = affinityKey;
            this.sinceNanos = sinceNanos;
            this.listener = listener;
        }
    }

    /** What a request entering the pool got. */
    sealed interface Entry {
        /** A slot at once. */
        record Admitted(Permit permit) implements Entry {}

        /** Every healthy deployment is full: it waits; {@code granted} will be called, or it is withdrawn. */
        record Queued(Waiter waiter) implements Entry {}

        /**
         * Every healthy deployment is full and so is the queue, with no one of a lower priority in it to give way
         * (or the request may not wait).
         */
        record Full() implements Entry {}

        /** No deployment may take a request (all ejected): the caller tries its fallbacks or fails fast. */
        record Unavailable() implements Entry {}
    }

    private record Grant(Waiter waiter, Permit permit) {}

    private final Pool pool;
    private final Settings settings;
    private final FairQueue<Waiter> queue = new FairQueue<>(w -> w.priority, w -> w.caller);
    /** Mean time a slot is held (exponentially weighted), for Retry-After. */
    private double holdNanos;

    Admission(Pool pool, Settings settings) {
        this.pool = pool;
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** Requests waiting now. */
    public int depth() {
        synchronized (pool) {
            return queue.size();
        }
    }

    /** Whether any deployment of the pool has a concurrency limit (only then is there anything to report). */
    public boolean limited() {
        for (Upstream u : pool.upstreams()) {
            if (u.limit() > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * A request arrives: a slot at once when a deployment has room and no one waits before it; else it waits
     * ({@code mayWait}) or is shed. Waiters whose slot is free are served first. In a full queue, a request of a
     * higher priority than someone waiting takes that one's place, and that one is shed instead: under overload
     * the queue holds the most important requests, not the earliest.
     */
    Entry enter(String caller, int priority, String affinityKey, long now, boolean mayWait, Listener listener) {
        List<Grant> grants;
        Entry entry = null;
        Waiter evicted = null;
        synchronized (pool) {
            grants = drain(now);
            if (queue.isEmpty()) {
                Upstream u = pool.pick(Set.of(), now, affinityKey, true, null);
                if (u != null) {
                    entry = new Entry.Admitted(new Permit(u, this, now));
                }
            }
            if (entry == null) {
                if (!pool.anyAdmits(now)) {
                    entry = new Entry.Unavailable();
                } else if (!mayWait || settings.queueSize() == 0
                        || queue.size() >= settings.queueSize() && (evicted = queue.evictBelow(priority)) == null) {
                    entry = new Entry.Full();
                } else {
                    Waiter w = new Waiter(caller, priority, affinityKey, now, listener);
                    queue.add(w);
                    entry = new Entry.Queued(w);
                }
            }
        }
        if (evicted != null) {
            evicted.listener.evicted(now);
        }
        deliver(grants);
        return entry;
    }

    /** Takes a waiter out (deadline, client gone); false when it is no longer waiting (its slot is on its way). */
    boolean withdraw(Waiter w) {
        synchronized (pool) {
            return queue.remove(w);
        }
    }

    /**
     * A slot for a retry: on a deployment not in {@code tried} with room, or the one {@code holding} is on (the slot
     * the failed attempt held, kept rather than queued for again). Null when there is none; {@code holding} itself
     * when its deployment is chosen.
     */
    Permit retry(Set<Upstream> tried, long now, String affinityKey, Permit holding) {
        Upstream mine = holding == null || holding.released() ? null : holding.upstream();
        synchronized (pool) {
            Upstream u = pool.pick(tried, now, affinityKey, true, mine);
            if (u == null) {
                return null;
            }
            return u == mine ? holding : new Permit(u, this, now);
        }
    }

    /** A slot came back: the waiters whose turn it is get it. */
    void released(Permit p, long now) {
        List<Grant> grants;
        synchronized (pool) {
            double held = Math.max(0, now - p.sinceNanos());
            holdNanos = holdNanos == 0 ? held : 0.9 * holdNanos + 0.1 * held;
            grants = drain(now);
        }
        deliver(grants);
    }

    /** Gives free slots to waiters in turn; stops at the first that finds no deployment with room. */
    private List<Grant> drain(long now) {
        List<Grant> grants = List.of();
        while (!queue.isEmpty()) {
            Waiter w = queue.peek();
            Upstream u = pool.pick(Set.of(), now, w.affinityKey, true, null);
            if (u == null) {
                break;
            }
            queue.poll();
            if (grants.isEmpty()) {
                grants = new ArrayList<>(2);
            }
            grants.add(new Grant(w, new Permit(u, this, now)));
        }
        return grants;
    }

    private static void deliver(List<Grant> grants) {
        for (Grant g : grants) {
            try {
                g.waiter().listener.granted(g.permit());
            } catch (RuntimeException e) {
                g.permit().release(); // a waiter that cannot take its slot must not keep it from the next one
            }
        }
    }

    /**
     * Seconds a shed client should wait before trying again: how long the queue ahead takes to drain at the rate
     * slots free up (waiters × mean hold time ÷ slots), at least 1 and at most {@code queue_timeout}.
     */
    long retryAfterSeconds(long now) {
        int slots = 0;
        for (Upstream u : pool.upstreams()) {
            if (u.admits(now)) {
                slots += Math.max(0, u.limit());
            }
        }
        double wait;
        synchronized (pool) {
            wait = slots == 0 ? 0 : (queue.size() + 1) * holdNanos / slots;
        }
        long max = Math.max(1, (settings.queueTimeout().toMillis() + 999) / 1000);
        return Math.max(1, Math.min(max, (long) Math.ceil(wait / 1e9)));
    }
}
