package dev.sluice.protocol.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;

/** Renders a {@link GatewayException} as the Anthropic error envelope (protocols.md §1.10, §3.10). */
public final class AnthropicErrors {
    private AnthropicErrors() {}

    public static String type(ErrorKind kind) {
        return switch (kind) {
            // "we may also use this error type for other 4XX status codes" (Anthropic's error docs): 409 included
            case INVALID_REQUEST, CONTEXT_LENGTH, UPSTREAM_CLIENT_ERROR, NOT_SUPPORTED, CONFLICT ->
                    "invalid_request_error";
            case AUTHENTICATION -> "authentication_error";
            case BILLING -> "billing_error";
            case PERMISSION -> "permission_error";
            case NOT_FOUND -> "not_found_error";
            case REQUEST_TOO_LARGE -> "request_too_large";
            case RATE_LIMITED -> "rate_limit_error";
            case API_ERROR, BAD_GATEWAY -> "api_error";
            case OVERLOADED -> "overloaded_error";
            case TIMEOUT -> "timeout_error";
        };
    }

    /** Anthropic clients expect 529 for an overloaded backend and 400 for "other 4xx". */
    public static int status(GatewayException e) {
        return switch (e.kind()) {
            case OVERLOADED -> 529;
            case UPSTREAM_CLIENT_ERROR -> 400;
            default -> e.status();
        };
    }

    public static ObjectNode envelope(GatewayException e, String requestId) {
        ObjectNode error = Json.object();
        error.put("type", type(e.kind()));
        error.put("message", e.getMessage());
        ObjectNode root = Json.object();
        root.put("type", "error");
        root.set("error", error);
        if (requestId != null) {
            root.put("request_id", requestId);
        }
        return root;
    }

    public static byte[] body(GatewayException e, String requestId) {
        return Json.bytes(envelope(e, requestId));
    }

    public static byte[] streamEvent(GatewayException e) {
        return ("event: error\ndata: " + Json.string(envelope(e, null)) + "\n\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
