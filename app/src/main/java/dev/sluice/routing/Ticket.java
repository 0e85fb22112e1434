package dev.sluice.routing;

import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One request's part in admission control ({@link Admission}): who asks (the caller's name, whose turns are fair,
 * and its priority), the event loop its deadline runs on, and its place in a pool's queue while it waits. The
 * client's loop, the deadline and a request releasing a slot on another thread may all touch it at once: the
 * slot's future decides which of them wins.
 */
final class Ticket {
    private final Router.RouteEvents events;
    private volatile String caller = "";
    private volatile int priority;
    private volatile ScheduledExecutorService loop;
    private volatile Admission.Waiter waiter;
    private volatile Pool pool;
    private volatile CompletableFuture<Permit> slot;

    Ticket(Router.RouteEvents events) {
        this.events = events;
    }

    void caller(String name, int priority) {
        this.caller = name == null ? "" : name;
        this.priority = priority;
    }

    String caller() {
        return caller;
    }

    int priority() {
        return priority;
    }

    void loop(ScheduledExecutorService loop) {
        this.loop = loop;
    }

    boolean queued() {
        CompletableFuture<Permit> s = slot;
        return s != null && !s.isDone();
    }

    /**
     * How a granted slot reaches {@code slot}: on the request's loop, or back to the pool if no one wants it; and
     * how the request learns a higher priority took its place.
     */
    Admission.Listener handOver(Pool p, CompletableFuture<Permit> slot) {
        return new Admission.Listener() {
            @Override
            public void granted(Permit permit) {
                executor().execute(() -> {
                    if (!slot.complete(permit)) {
                        permit.release(); // its client left, or its deadline passed, as the slot came
                    }
                });
            }

            @Override
            public void evicted(long now) {
                GatewayException e = shed(Cause.QUEUE_FULL, p, now);
                executor().execute(() -> {
                    if (slot.completeExceptionally(e)) {
                        events.admission(p.alias(), caller, Router.AdmissionOutcome.SHED_FULL,
                                System.nanoTime() - waiter.sinceNanos);
                    }
                });
            }
        };
    }

    /** For a request that may not wait: nothing is ever granted or evicted. */
    static final Admission.Listener NO_WAIT = new Admission.Listener() {
        @Override
        public void granted(Permit permit) {
            permit.release();
        }

        @Override
        public void evicted(long now) {}
    };

    /** Waits in {@code p}'s queue as {@code w} until {@code slot} is granted, or the deadline sheds it. */
    CompletableFuture<Permit> await(Pool p, Admission.Waiter w, CompletableFuture<Permit> slot, long since) {
        this.pool = p;
        this.waiter = w;
        this.slot = slot;
        events.queueDepth(p.alias(), 1);
        ScheduledFuture<?> deadline = executor().schedule(() -> {
            if (p.admission().withdraw(w)) {
                long now = System.nanoTime();
                events.admission(p.alias(), caller, Router.AdmissionOutcome.SHED_TIMEOUT, now - since);
                slot.completeExceptionally(shed(Cause.QUEUE_TIMEOUT, p, now));
            }
        }, p.admission().settings().queueTimeout().toNanos(), TimeUnit.NANOSECONDS);
        slot.whenComplete((x, e) -> {
            deadline.cancel(false);
            events.queueDepth(p.alias(), -1);
        });
        return slot;
    }

    /** Leaves the queue now, if waiting (client gone, request over): a slot on its way goes to the next waiter. */
    void leave() {
        CompletableFuture<Permit> s = slot;
        if (s == null || s.isDone()) {
            return;
        }
        Pool p = pool;
        p.admission().withdraw(waiter);
        if (s.completeExceptionally(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.CLIENT_GONE, "client closed"))) {
            events.admission(p.alias(), caller, Router.AdmissionOutcome.CANCELLED,
                    System.nanoTime() - waiter.sinceNanos);
        }
    }

    /** The queue of {@code p} is full: shed now. */
    GatewayException full(Pool p, long now) {
        events.admission(p.alias(), caller, Router.AdmissionOutcome.SHED_FULL, 0);
        return shed(Cause.QUEUE_FULL, p, now);
    }

    private ScheduledExecutorService executor() {
        ScheduledExecutorService l = loop;
        return l != null ? l : Admission.TIMER;
    }

    /** Shed by admission control: 429 (529 {@code overloaded_error} for Anthropic), with {@code Retry-After}. */
    static GatewayException shed(Cause cause, Pool p, long now) {
        long seconds = p.admission().retryAfterSeconds(now);
        Admission.Settings s = p.admission().settings();
        String why = cause == Cause.QUEUE_FULL
                ? "every deployment of '" + p.alias() + "' is at its max_concurrency and " + s.queueSize()
                        + " requests of the same or a higher priority already wait (queue_size)"
                : "every deployment of '" + p.alias() + "' stayed at its max_concurrency for the "
                        + s.queueTimeout().toMillis() / 1000.0 + " s this request may wait (queue_timeout)";
        return new GatewayException(ErrorKind.OVERLOADED, 429, why + "; retry in " + seconds + " s", null, null,
                Map.of("Retry-After", Long.toString(seconds)), cause);
    }
}
