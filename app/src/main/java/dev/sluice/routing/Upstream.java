package dev.sluice.routing;

import dev.sluice.backend.Backend;
import dev.sluice.backend.BackendProfile;
import dev.sluice.error.Cause;
import dev.sluice.error.GatewayException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One deployment at run time: a backend serving a pool's alias, with its weight, requests in flight and
 * passive health. A deployment that fails {@code allowedFails} times in a row (or refuses connections) is
 * ejected for a cooldown that doubles with each ejection (capped), then gets traffic again, which probes it.
 */
public final class Upstream {
    private static final Duration MAX_COOLDOWN = Duration.ofMinutes(5);

    private final String id;
    private final String alias;
    private final Backend backend;
    private final String upstreamModel;
    private final int weight;
    private final int allowedFails;
    private final Duration cooldown;
    private final Duration timeout;
    private final java.util.Map<String, Object> requestDefaults;
    private final String secret;
    private final AtomicInteger inFlight = new AtomicInteger();
    private int consecutiveFailures;
    private int ejections;
    private long ejectedUntil;
    private int currentWeight;

    /**
     * @param upstreamModel the model name this deployment must be sent, or null to send the client's
     */
    public Upstream(String id, String alias, Backend backend, String upstreamModel, int weight, int allowedFails,
            Duration cooldown) {
        this(id, alias, backend, upstreamModel, weight, allowedFails, cooldown, null, java.util.Map.of());
    }

    /**
     * @param timeout this deployment's limit for a whole exchange, overriding REQUEST_TIMEOUT_S; null for the default
     * @param requestDefaults body fields sent upstream when the request does not set them (a config file's
     *     extra params, e.g. temperature)
     */
    public Upstream(String id, String alias, Backend backend, String upstreamModel, int weight, int allowedFails,
            Duration cooldown, Duration timeout, java.util.Map<String, Object> requestDefaults) {
        this(id, alias, backend, upstreamModel, weight, allowedFails, cooldown, timeout, requestDefaults, null);
    }

    /**
     * @param secret this deployment's API key, scrubbed from anything the backend echoes into an error
     */
    public Upstream(String id, String alias, Backend backend, String upstreamModel, int weight, int allowedFails,
            Duration cooldown, Duration timeout, java.util.Map<String, Object> requestDefaults, String secret) {
        this.secret = secret;
        this.id = id;
        this.alias = alias;
        this.backend = backend;
        this.upstreamModel = upstreamModel;
        this.weight = Math.max(1, weight);
        this.allowedFails = Math.max(1, allowedFails);
        this.cooldown = cooldown;
        this.timeout = timeout;
        this.requestDefaults = java.util.Map.copyOf(requestDefaults);
    }

    /** The deployment's API key, for scrubbing error messages only; null when it has none. */
    public String secret() {
        return secret;
    }

    /** Fields to add to a request body that lacks them. */
    public java.util.Map<String, Object> requestDefaults() {
        return requestDefaults;
    }

    /** The per-deployment total timeout, or null. */
    public Duration timeout() {
        return timeout;
    }

    public String id() {
        return id;
    }

    public String alias() {
        return alias;
    }

    public Backend backend() {
        return backend;
    }

    public BackendProfile profile() {
        return backend.profile();
    }

    public String upstreamModel() {
        return upstreamModel;
    }

    /** The name to send upstream for what the client asked. */
    public String modelFor(String clientModel) {
        return upstreamModel != null ? upstreamModel : clientModel;
    }

    public int weight() {
        return weight;
    }

    public int inFlight() {
        return inFlight.get();
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void finished() {
        inFlight.decrementAndGet();
    }

    synchronized boolean ejected(long now) {
        return now < ejectedUntil;
    }

    synchronized long ejectedUntil() {
        return ejectedUntil;
    }

    /** Takes over an ejection another replica published, if it lasts longer than this replica's own. */
    synchronized void adoptEjection(long untilNanos) {
        if (untilNanos > ejectedUntil) {
            ejectedUntil = untilNanos;
        }
    }

    /** Smooth weighted round-robin bookkeeping (nginx's algorithm), guarded by the pool's lock. */
    int currentWeight() {
        return currentWeight;
    }

    void currentWeight(int w) {
        currentWeight = w;
    }

    synchronized void succeeded() {
        consecutiveFailures = 0;
        if (ejectedUntil != 0 && System.nanoTime() >= ejectedUntil) {
            ejectedUntil = 0;
            ejections = 0;
        }
    }

    /** Records a failure; returns true when it ejected the deployment. */
    synchronized boolean failed(GatewayException e, long now) {
        if (!e.countsAgainstHealth()) {
            return false;
        }
        consecutiveFailures++;
        if ((refused(e) || consecutiveFailures >= allowedFails) && now >= ejectedUntil) {
            ejections++;
            long nanos = cooldown.toNanos() << Math.min(ejections - 1, 10);
            ejectedUntil = now + Math.min(nanos, MAX_COOLDOWN.toNanos());
            consecutiveFailures = 0;
            return true;
        }
        return false;
    }

    /** Nothing listens at the deployment's address: the request never left. */
    static boolean refused(GatewayException e) {
        return e.cause() == Cause.CONNECT_REFUSED;
    }

    @Override
    public String toString() {
        return id;
    }
}
