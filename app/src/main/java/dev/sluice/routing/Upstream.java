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
 * ejected for a cooldown that doubles with each ejection (capped). When the cooldown ends the deployment is on
 * probation: one request per cooldown may go to it (the probe); the first success reinstates it, a failure ejects
 * it again at once. Active health checks ({@link LoadMonitor}) can hold it out as well. Its load, for load-aware
 * routing, is the runtime's last published {@link LoadSignal} plus what the gateway sent since, or the gateway's
 * own in-flight count where the runtime publishes nothing.
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
    private final int maxConcurrency;
    /** The limit the runtime's capacity page gave ({@link LoadMonitor}); 0 when unknown. */
    private volatile int published;
    /** Requests holding one of its admission slots ({@link Permit}), from their pick to their attempt's end. */
    private final AtomicInteger held = new AtomicInteger();
    private int consecutiveFailures;
    private int ejections;
    private long ejectedUntil;
    private long cooldownNanos;
    private long nextProbe;
    private boolean activeDown;
    private volatile LoadSignal signal;
    private volatile long signalTtlNanos;
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
        this(id, alias, backend, upstreamModel, weight, allowedFails, cooldown, timeout, requestDefaults, secret, 0);
    }

    /**
     * @param maxConcurrency requests it may have at once ({@code max_concurrency}); 0 for no limit of its own (the
     *     runtime's published slot count then applies, if it publishes one)
     */
    public Upstream(String id, String alias, Backend backend, String upstreamModel, int weight, int allowedFails,
            Duration cooldown, Duration timeout, java.util.Map<String, Object> requestDefaults, String secret,
            int maxConcurrency) {
        if (maxConcurrency < 0) {
            throw new IllegalArgumentException("maxConcurrency: " + maxConcurrency + " (expected: >= 0)");
        }
        this.maxConcurrency = maxConcurrency;
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

    /**
     * Its concurrency limit now: {@code max_concurrency}, else what the runtime last said (TGI's
     * {@code max_concurrent_requests}, SGLang's {@code max_running_requests}, llama.cpp's slot count), else 0 for none.
     */
    public int limit() {
        if (maxConcurrency > 0) {
            return maxConcurrency;
        }
        if (published > 0) {
            return published;
        }
        LoadSignal s = signal;
        return s == null || !(s.capacity() >= 1) ? 0 : (int) Math.min(Integer.MAX_VALUE, s.capacity());
    }

    /** Whether it has a {@code max_concurrency} of its own, which a runtime's published limit does not override. */
    boolean limitSet() {
        return maxConcurrency > 0;
    }

    /** What the runtime's capacity page said: its limit, or 0 for nothing. */
    void published(int capacity) {
        this.published = Math.max(0, capacity);
    }

    /** Admission slots held now: requests picked for it whose attempt has not ended. */
    public int held() {
        return held.get();
    }

    /** Whether another request may be admitted to it: it has no limit, or fewer held slots than its limit. */
    boolean hasRoom() {
        int l = limit();
        return l <= 0 || held.get() < l;
    }

    void hold() {
        held.incrementAndGet();
    }

    void unhold() {
        held.decrementAndGet();
    }

    void finished() {
        inFlight.decrementAndGet();
    }

    /** Out of rotation: in a passive cooldown, or held out by active health checks. */
    synchronized boolean ejected(long now) {
        return now < ejectedUntil || activeDown;
    }

    /**
     * May take a request now: not ejected, and when on probation (cooldown over, not yet proven healthy) only
     * if no probe went to it within the last cooldown, so a recovering deployment sees one request, not a storm.
     */
    synchronized boolean admits(long now) {
        return !ejected(now) && !(onProbation(now) && now < nextProbe);
    }

    /** Records that it was picked: on probation, that pick is the cooldown's one probe. */
    synchronized void picked(long now) {
        if (onProbation(now)) {
            nextProbe = now + cooldownNanos;
        }
    }

    /** When it may next take a request, for Retry-After; {@code now} when it may now. */
    synchronized long availableAt(long now) {
        long at = Math.max(now, ejectedUntil);
        return onProbation(now) ? Math.max(at, nextProbe) : at;
    }

    private boolean onProbation(long now) {
        return ejectedUntil != 0 && now >= ejectedUntil;
    }

    /** Active health checks hold it out ({@code down}) or let it back in. */
    synchronized void activeDown(boolean down) {
        activeDown = down;
    }

    synchronized boolean activeDown() {
        return activeDown;
    }

    /** The runtime's latest published load; {@code ttlNanos} is how long it stays worth reading. */
    void signal(LoadSignal s, long ttlNanos) {
        signalTtlNanos = ttlNanos;
        signal = s;
    }

    /** The last load signal, or null. */
    public LoadSignal signal() {
        return signal;
    }

    /**
     * How busy it is, for load-aware routing: requests at the runtime (running + waiting, as last published,
     * plus those the gateway sent since; never less than the gateway's own in-flight count), queued requests
     * counted twice since they wait for a slot, plus {@code cacheWeight} at a full KV cache (a full cache means
     * preemption and recomputation); divided by the weight.
     */
    double load(long now, double cacheWeight) {
        int mine = inFlight.get();
        LoadSignal s = signal;
        if (s == null || s.empty() || now - s.atNanos() > signalTtlNanos) {
            return (double) mine / weight;
        }
        double running = Double.isNaN(s.running()) ? 0 : s.running();
        double waiting = Double.isNaN(s.waiting()) ? 0 : s.waiting();
        double atRuntime = Math.max(mine, running + waiting + Math.max(0, mine - s.inFlightAtRead()));
        double cache = Double.isNaN(s.cacheUsage()) ? 0 : s.cacheUsage();
        return (atRuntime + waiting + cacheWeight * cache) / weight;
    }

    synchronized long ejectedUntil() {
        return ejectedUntil;
    }

    /** Takes over an ejection another replica published, if it lasts longer than this replica's own. */
    synchronized void adoptEjection(long untilNanos) {
        if (untilNanos > ejectedUntil) {
            long now = System.nanoTime();
            cooldownNanos = Math.max(cooldownNanos, Math.max(cooldown.toNanos(), untilNanos - now));
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
            nextProbe = 0;
        }
    }

    /** Records a failure; returns true when it ejected the deployment. */
    synchronized boolean failed(GatewayException e, long now) {
        if (!e.countsAgainstHealth()) {
            return false;
        }
        consecutiveFailures++;
        // a failed probe (on probation) ejects again at once: the deployment has not recovered
        if ((refused(e) || consecutiveFailures >= allowedFails || onProbation(now)) && now >= ejectedUntil) {
            ejections++;
            long nanos = cooldown.toNanos() << Math.min(ejections - 1, 10);
            cooldownNanos = Math.min(nanos, MAX_COOLDOWN.toNanos());
            ejectedUntil = now + cooldownNanos;
            nextProbe = 0;
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
