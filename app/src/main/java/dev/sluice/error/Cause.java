package dev.sluice.error;

/**
 * Why an exchange failed, as the routing decisions need it: whether another attempt may help, whether the
 * backend (not the client) is at fault, and whether the failure counts against the deployment's health.
 * Decisions read these flags, never a message.
 */
public enum Cause {
    /** The status says it all: the request was bad, or the backend answered with an error status. */
    STATUS(null),
    /** The client went away; nothing is anyone's fault and nothing is retried. */
    CLIENT_GONE(Flags.NONE),
    /**
     * The gateway is shutting down and its drain deadline (DRAIN_TIMEOUT_S) passed: no one's fault, and not retried
     * here (another replica may take the request again).
     */
    SHUTDOWN(Flags.NONE),
    /**
     * A key's or an alias's spend reached its daily or monthly budget: only the window's reset helps, so neither the
     * gateway nor a client SDK retries (x-should-retry: false), and no one's health suffers.
     */
    BUDGET_EXHAUSTED(Flags.NONE),
    /** The client stopped reading: the gateway stopped reading the backend for it, so no one's health suffers. */
    CLIENT_STALLED(Flags.NONE),
    /** Nothing listens at the deployment's address: the request never left, so moving it costs no one work. */
    CONNECT_REFUSED(Flags.ALL),
    CONNECT_TIMEOUT(Flags.ALL),
    CONNECT_FAILED(Flags.ALL),
    /** No response head within FIRST_BYTE_TIMEOUT_S. */
    FIRST_BYTE_TIMEOUT(Flags.ALL),
    /** A stream stalled between events for IDLE_TIMEOUT_S. */
    IDLE_TIMEOUT(Flags.ALL),
    /** The whole exchange outlasted REQUEST_TIMEOUT_S. */
    TOTAL_TIMEOUT(Flags.ALL),
    /** The connection broke, or the backend sent something that is not HTTP or not its protocol. */
    CONNECTION_LOST(Flags.ALL),
    MALFORMED_RESPONSE(Flags.ALL),
    /** The stream ended without its terminal event. */
    STREAM_TRUNCATED(Flags.ALL),
    /** The backend reported an error inside a stream that had already begun. */
    IN_BAND_ERROR(Flags.ALL),
    /**
     * Every deployment that could serve the request is ejected: the gateway sent nothing, so nothing counts
     * against anyone's health, and retrying inside the gateway would only wait for the cooldown.
     */
    NO_DEPLOYMENT_AVAILABLE(new Flags(false, true, false)),
    /** The backend's answer is larger than the gateway buffers: asking again would get the same. */
    RESPONSE_TOO_LARGE(new Flags(false, true, false)),
    /**
     * Every deployment of the pool is at its {@code max_concurrency} and the pool's queue is full: the request was
     * shed before any deployment saw it. No one's fault or health; the client may retry after {@code Retry-After}
     * (which is why it is retryable: {@code x-should-retry: true}), while the gateway itself never retries it.
     */
    QUEUE_FULL(new Flags(true, false, false)),
    /** The request waited in the pool's queue for {@code queue_timeout} without a slot freeing: shed, as above. */
    QUEUE_TIMEOUT(new Flags(true, false, false));

    private record Flags(boolean retryable, boolean backendFault, boolean countsAgainstHealth) {
        static final Flags NONE = new Flags(false, false, false);
        static final Flags ALL = new Flags(true, true, true);
    }

    private final Flags flags;

    Cause(Flags flags) {
        this.flags = flags;
    }

    boolean retryable(ErrorKind kind) {
        return flags == null ? kind.retryable() : flags.retryable();
    }

    boolean backendFault(ErrorKind kind) {
        return flags == null ? kind.backendFault() : flags.backendFault();
    }

    boolean countsAgainstHealth(ErrorKind kind) {
        return flags == null ? kind.countsAgainstHealth() : flags.countsAgainstHealth();
    }
}
