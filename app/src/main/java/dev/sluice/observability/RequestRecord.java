package dev.sluice.observability;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What one request did, filled in as it goes and reported once (access log line and metrics) when both
 * the response head has been sent and, for a stream, the stream has ended.
 */
public final class RequestRecord {
    private final String requestId;
    private final long startNanos;
    private final String method;
    private final Consumer<RequestRecord> reporter;
    private final AtomicBoolean reported = new AtomicBoolean();
    private volatile String route = "unmatched";
    private volatile String model;
    private volatile String backend;
    private volatile String principal;
    private volatile int status;
    private volatile long tokensIn = -1;
    private volatile long tokensOut = -1;
    private volatile long tokensCached;
    private volatile boolean tokensEstimated;
    private volatile long ttftNanos = -1;
    private volatile long endNanos;
    private volatile String outcome = "ok";
    private volatile boolean clientGone;
    private volatile boolean streaming;
    private volatile String prompt;
    private volatile String alias;
    private volatile boolean headSent;
    private volatile boolean streamDone;
    private volatile Runnable onEnd;
    private volatile RequestTrace trace;

    public RequestRecord(String requestId, String method, Consumer<RequestRecord> reporter) {
        this.requestId = requestId;
        this.method = method;
        this.reporter = reporter;
        this.startNanos = System.nanoTime();
    }

    public String requestId() {
        return requestId;
    }

    public String method() {
        return method;
    }

    public long startNanos() {
        return startNanos;
    }

    public String route() {
        return route;
    }

    public void route(String route) {
        this.route = route;
    }

    public String model() {
        return model;
    }

    public void model(String model) {
        this.model = model;
    }

    public String backend() {
        return backend;
    }

    public void backend(String backend) {
        this.backend = backend;
    }

    public String principal() {
        return principal;
    }

    public void principal(String principal) {
        this.principal = principal;
    }

    public int status() {
        return status;
    }

    public long tokensIn() {
        return tokensIn;
    }

    public long tokensOut() {
        return tokensOut;
    }

    public boolean tokensEstimated() {
        return tokensEstimated;
    }

    public void tokens(long in, long out, boolean estimated) {
        tokens(in, out, 0, estimated);
    }

    /** @param cached of the {@code in} tokens, those the runtime read from its prompt cache */
    public void tokens(long in, long out, long cached, boolean estimated) {
        this.tokensIn = in;
        this.tokensOut = out;
        this.tokensCached = Math.max(0, cached);
        this.tokensEstimated = estimated;
    }

    /** Of the input tokens, those the runtime read from its prompt cache (0 when it said nothing). */
    public long tokensCached() {
        return tokensCached;
    }

    public long ttftNanos() {
        return ttftNanos;
    }

    public void firstToken() {
        if (ttftNanos < 0) {
            ttftNanos = System.nanoTime() - startNanos;
        }
    }

    /** Why the request ended: ok, or an error kind such as stream_aborted, client_closed, timeout. */
    public String outcome() {
        return outcome;
    }

    public void outcome(String outcome) {
        this.outcome = outcome;
    }

    /** The client went away before its answer was complete; decisions read this, not the outcome label. */
    public boolean clientGone() {
        return clientGone;
    }

    public void clientGone(boolean gone) {
        this.clientGone = gone;
        if (gone) {
            this.outcome = "client_closed";
        }
    }

    /** The configured alias (pool) the request was routed to; metric labels use it. */
    public String alias() {
        return alias;
    }

    public void alias(String alias) {
        this.alias = alias;
    }

    /** The prompt, only when LOG_PROMPTS=true asked for it; null otherwise. */
    public String prompt() {
        return prompt;
    }

    public void prompt(String prompt) {
        this.prompt = prompt;
    }

    public boolean streaming() {
        return streaming;
    }

    public void streaming(boolean streaming) {
        this.streaming = streaming;
    }

    public long durationNanos() {
        return (endNanos == 0 ? System.nanoTime() : endNanos) - startNanos;
    }

    /** The response head went out with this status. */
    public void headSent(int status) {
        this.status = status;
        this.headSent = true;
        maybeReport();
    }

    /** A streamed body has ended (normally, with an error event, or because the client left). */
    public void streamDone() {
        this.streamDone = true;
        maybeReport();
    }

    /** Whether this request has a span (tracing is on and the route is traced). */
    public boolean traced() {
        return trace != null;
    }

    /** The request's span, or null when it is not traced. */
    public RequestTrace trace() {
        return trace;
    }

    void trace(RequestTrace trace) {
        this.trace = trace;
    }

    /**
     * An upstream attempt begins: its span under the request's, or {@link AttemptTrace#NONE} when not traced.
     *
     * @param provider the runtime kind; @param location the deployment's base URL without credentials
     */
    public AttemptTrace attempt(String deployment, String provider, String location, String model) {
        RequestTrace t = trace;
        return t == null ? AttemptTrace.NONE : t.attempt(deployment, provider, location, model);
    }

    /** What the answer said (the model that answered, why it stopped), for the spans; ignored when not traced. */
    public void response(String model, java.util.List<String> finishReasons) {
        RequestTrace t = trace;
        if (t != null) {
            t.response(model, finishReasons);
        }
    }

    /**
     * Runs once when the request is reported (token reservations and spend are settled here); actions added by
     * several gates run in the order they were added.
     */
    public synchronized void onEnd(Runnable action) {
        Runnable before = this.onEnd;
        this.onEnd = before == null ? action : () -> {
            before.run();
            action.run();
        };
    }

    private void maybeReport() {
        if (headSent && (!streaming || streamDone) && reported.compareAndSet(false, true)) {
            endNanos = System.nanoTime();
            Runnable end = onEnd;
            if (end != null) {
                end.run();
            }
            RequestTrace t = trace;
            if (t != null) {
                t.end();
            }
            reporter.accept(this);
        }
    }
}
