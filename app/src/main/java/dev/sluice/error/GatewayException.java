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

    public GatewayException(ErrorKind kind, int status, String message, String param, String code,
            Map<String, String> headers) {
        super(message, null, false, false);
        this.kind = kind;
        this.status = status;
        this.param = param;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    public static GatewayException of(ErrorKind kind, String message) {
        return new GatewayException(kind, kind.defaultStatus(), message, null, null, Map.of());
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

    public boolean retryable() {
        return kind.retryable();
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
        return new GatewayException(kind, status, getMessage(), param, code, h);
    }
}
