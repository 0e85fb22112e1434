package dev.sluice.error;

import java.util.Map;

/**
 * The one error type of the gateway. Messages say what was wrong and how to fix it; they never carry a key
 * or a prompt, because they go verbatim into error bodies and logs.
 */
public final class GatewayException extends RuntimeException {
    private final ErrorKind kind;
    private final int status;
    private final String param;
    private final String code;
    private final Map<String, String> headers;
    private final Cause cause;

    public GatewayException(ErrorKind kind, int status, String message, String param, String code,
            Map<String, String> headers) {
        this(kind, status, message, param, code, headers, Cause.STATUS);
    }

    public GatewayException(ErrorKind kind, int status, String message, String param, String code,
            Map<String, String> headers, Cause cause) {
        super(message, null, false, false);
        this.cause = cause;
        this.kind = kind;
        this.status = status;
        this.param = param;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    public static GatewayException of(ErrorKind kind, String message) {
        return new GatewayException(kind, kind.defaultStatus(), message, null, null, Map.of());
    }

    /** A failure of the exchange itself (connect, timeout, broken stream...), with the kind the client sees. */
    public static GatewayException of(ErrorKind kind, Cause cause, String message) {
        return new GatewayException(kind, kind.defaultStatus(), message, null, null, Map.of(), cause);
    }

    public static GatewayException invalid(String message, String param) {
        return new GatewayException(ErrorKind.INVALID_REQUEST, 400, message, param, null, Map.of());
    }

    public ErrorKind kind() {
        return kind;
    }

    public int status() {
        return status;
    }

    /** Why it failed: what routing decides on. */
    public Cause cause() {
        return cause;
    }

    /** Another attempt (on this or another deployment) may succeed. */
    public boolean retryable() {
        return cause.retryable(kind);
    }

    /** The backend failed, as opposed to the client asking for something wrong or going away. */
    public boolean backendFault() {
        return cause.backendFault(kind);
    }

    /** The failure says the deployment is unhealthy (passive health, ejection). */
    public boolean countsAgainstHealth() {
        return cause.countsAgainstHealth(kind);
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** Extra response headers such as {@code Retry-After}. */
    public Map<String, String> headers() {
        return headers;
    }

    public GatewayException withHeader(String name, String value) {
        var h = new java.util.HashMap<>(headers);
        h.put(name, value);
        return new GatewayException(kind, status, getMessage(), param, code, h, cause);
    }
}
