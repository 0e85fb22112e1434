package dev.sluice.protocol.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;

/** Renders a {@link GatewayException} as the OpenAI error envelope (protocols.md §2.4). */
public final class OpenAiErrors {
    private OpenAiErrors() {}

    public static String type(ErrorKind kind) {
        return switch (kind) {
            case INVALID_REQUEST, CONTEXT_LENGTH, NOT_FOUND, REQUEST_TOO_LARGE, UPSTREAM_CLIENT_ERROR,
                    AUTHENTICATION, CONFLICT -> "invalid_request_error";
            // what OpenAI itself says when the account cannot pay
            case BILLING -> "insufficient_quota";
            case PERMISSION -> "permission_error";
            case RATE_LIMITED -> "rate_limit_exceeded";
            case NOT_SUPPORTED -> "not_supported_error";
            case API_ERROR, BAD_GATEWAY, OVERLOADED, TIMEOUT -> "server_error";
        };
    }

    static String defaultCode(ErrorKind kind) {
        return switch (kind) {
            case CONTEXT_LENGTH -> "context_length_exceeded";
            case AUTHENTICATION -> "invalid_api_key";
            case RATE_LIMITED -> "rate_limit_exceeded";
            case REQUEST_TOO_LARGE -> "request_too_large";
            case NOT_SUPPORTED -> "not_supported";
            case TIMEOUT -> "timeout";
            case OVERLOADED -> "overloaded";
            case BILLING -> "insufficient_quota";
            case CONFLICT -> "conflict";
            case INVALID_REQUEST, NOT_FOUND, UPSTREAM_CLIENT_ERROR, PERMISSION, API_ERROR, BAD_GATEWAY -> null;
        };
    }

    public static ObjectNode envelope(GatewayException e) {
        ObjectNode error = Json.object();
        error.put("message", e.getMessage());
        error.put("type", type(e.kind()));
        if (e.param() == null) {
            error.putNull("param");
        } else {
            error.put("param", e.param());
        }
        String code = e.code() != null ? e.code() : defaultCode(e.kind());
        if (code == null) {
            error.putNull("code");
        } else {
            error.put("code", code);
        }
        ObjectNode root = Json.object();
        root.set("error", error);
        return root;
    }

    public static byte[] body(GatewayException e) {
        return Json.bytes(envelope(e));
    }

    /** The in-band error a stream ends with once the 200 has gone out; no {@code [DONE]} follows it. */
    public static byte[] streamEvent(GatewayException e) {
        return ("data: " + Json.string(envelope(e)) + "\n\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
