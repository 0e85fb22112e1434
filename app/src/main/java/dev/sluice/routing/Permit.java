package dev.sluice.routing;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One admission slot on one deployment, held by one request from the moment the deployment is picked for it until
 * its attempt there ends, whichever way it ends (answer, error, timeout, client gone, stream cut, a retry moving it
 * elsewhere). Releasing is idempotent, so every path may release without counting who did already: a slot released
 * twice would admit one request too many for ever after, and one never released shrinks the deployment for good.
 */
final class Permit {
    private final Upstream upstream;
    private final Admission admission;
    private final long sinceNanos;
    private final AtomicBoolean released = new AtomicBoolean();

    /** Takes the slot: call with the pool's lock held, after checking the deployment has room. */
    Permit(Upstream upstream, Admission admission, long sinceNanos) {
        this.upstream = upstream;
        this.admission = admission;
        this.sinceNanos = sinceNanos;
        upstream.hold();
    }

    Upstream upstream() {
        return upstream;
    }

    long sinceNanos() {
        return sinceNanos;
    }

    boolean released() {
        return released.get();
    }

    /** Gives the slot back (the first call only) and hands it to the request whose turn it is. */
    void release() {
        release(System.nanoTime());
    }

    void release(long now) {
        if (released.compareAndSet(false, true)) {
            upstream.unhold();
            admission.released(this, now);
        }
    }
}
