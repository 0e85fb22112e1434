package dev.sluice.error;

/**
 * What went wrong, independent of the client's dialect. Each protocol's renderer maps a kind to its own
 * status and error type (protocols.md §3.10).
 */
public enum ErrorKind {
    INVALID_REQUEST(400, false),
    CONTEXT_LENGTH(400, false),
    AUTHENTICATION(401, false),
    PERMISSION(403, false),
    NOT_FOUND(404, false),
    REQUEST_TOO_LARGE(413, false),
    RATE_LIMITED(429, true),
    /** Upstream rejected the request in a way we pass on with its own status. */
    UPSTREAM_CLIENT_ERROR(400, false),
    API_ERROR(500, true),
    NOT_SUPPORTED(501, false),
    BAD_GATEWAY(502, true),
    OVERLOADED(503, true),
    TIMEOUT(504, true);

    private final int defaultStatus;
    private final boolean retryable;

    ErrorKind(int defaultStatus, boolean retryable) {
        this.defaultStatus = defaultStatus;
        this.retryable = retryable;
    }

    public int defaultStatus() {
        return defaultStatus;
    }

    public boolean retryable() {
        return retryable;
    }
}
