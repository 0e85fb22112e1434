package dev.sluice.error;

/**
 * What went wrong, independent of the client's dialect. Each protocol's renderer maps a kind to its own
 * status and error type (protocols.md §3.10).
 */
public enum ErrorKind {
    INVALID_REQUEST(400, false, false, false),
    CONTEXT_LENGTH(400, false, false, false),
    AUTHENTICATION(401, false, false, false),
    /** The account behind the backend key cannot pay (Anthropic's 402 {@code billing_error}). */
    BILLING(402, false, false, false),
    PERMISSION(403, false, false, false),
    NOT_FOUND(404, false, false, false),
    REQUEST_TOO_LARGE(413, false, false, false),
    /** Retryable elsewhere, but a busy deployment is not an unhealthy one. */
    RATE_LIMITED(429, true, true, false),
    /** A conflicting concurrent operation upstream (409): the SDKs retry it, and so may the gateway. */
    CONFLICT(409, true, false, false),
    /** Upstream rejected the request in a way we pass on with its own status. */
    UPSTREAM_CLIENT_ERROR(400, false, false, false),
    API_ERROR(500, true, true, true),
    NOT_SUPPORTED(501, false, false, false),
    BAD_GATEWAY(502, true, true, true),
    OVERLOADED(503, true, true, true),
    TIMEOUT(504, true, true, true);

    private final int defaultStatus;
    private final boolean retryable;
    private final boolean backendFault;
    private final boolean countsAgainstHealth;

    ErrorKind(int defaultStatus, boolean retryable, boolean backendFault, boolean countsAgainstHealth) {
        this.defaultStatus = defaultStatus;
        this.retryable = retryable;
        this.backendFault = backendFault;
        this.countsAgainstHealth = countsAgainstHealth;
    }

    /** The backend failed, as opposed to rejecting what the client asked (which is the client's error). */
    public boolean backendFault() {
        return backendFault;
    }

    /** Client-caused errors and a busy backend say nothing about the deployment's health. */
    public boolean countsAgainstHealth() {
        return countsAgainstHealth;
    }

    public int defaultStatus() {
        return defaultStatus;
    }

    public boolean retryable() {
        return retryable;
    }
}
