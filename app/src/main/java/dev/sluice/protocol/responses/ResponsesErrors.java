package dev.sluice.protocol.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.openai.OpenAiErrors;
import java.util.Locale;
import java.util.Map;

/**
 * Errors as Responses clients read them (responses-api.md §7). Before the first byte an error is the OpenAI
 * envelope with an HTTP status, the same as for chat; after it, {@code response.failed} carries
 * {@code response.error: {code, message}}, whose {@code code} Codex dispatches on.
 */
public final class ResponsesErrors {
    private ResponsesErrors() {}

    /** {@code {"error":{"message","type","param","code"}}}, for an error before the stream starts. */
    public static ObjectNode envelope(GatewayException e) {
        return OpenAiErrors.envelope(e);
    }

    public static byte[] body(GatewayException e) {
        return Json.bytes(envelope(e));
    }

    /**
     * The {@code code} of {@code response.error}. Codex: {@code context_length_exceeded} is not retried (it
     * compacts instead), {@code invalid_prompt} is a request error, {@code server_is_overloaded} backs off, and
     * anything else ({@code server_error}) is retried. openai-java's enum lacks the first two; its deserializer
     * keeps unknown values, only its strict {@code validate()} refuses them.
     */
    public static String failedCode(GatewayException e) {
        return switch (e.kind()) {
            case CONTEXT_LENGTH -> "context_length_exceeded";
            case RATE_LIMITED -> "rate_limit_exceeded";
            case OVERLOADED -> "server_is_overloaded";
            case INVALID_REQUEST, UPSTREAM_CLIENT_ERROR, NOT_FOUND, REQUEST_TOO_LARGE, NOT_SUPPORTED -> "invalid_prompt";
            case BILLING -> "insufficient_quota"; // Codex stops on it instead of retrying
            case AUTHENTICATION, PERMISSION, API_ERROR, BAD_GATEWAY, TIMEOUT, CONFLICT -> "server_error";
        };
    }

    /**
     * {@code response.error}. A rate limit's message says "Please try again in Ns": Codex takes the retry delay
     * from that phrase, not from a header, once the stream has started.
     */
    public static ObjectNode responseError(GatewayException e) {
        String message = e.getMessage();
        String retryAfter = e.headers().get("Retry-After");
        if (e.kind() == ErrorKind.RATE_LIMITED && retryAfter != null
                && !message.toLowerCase(Locale.ROOT).contains("try again in")) {
            message = message + (message.endsWith(".") ? " " : ". ") + "Please try again in " + retryAfter + "s.";
        }
        return Json.object().put("code", failedCode(e)).put("message", message);
    }

    /**
     * An earlier response that is not (or no longer) stored for this key cannot be continued (responses-api.md
     * §6): it expired (RESPONSES_STORE_TTL_S), was evicted, deleted, made by another key, or sent with
     * {@code store: false}.
     */
    public static GatewayException previousResponseNotFound(String id) {
        return new GatewayException(ErrorKind.INVALID_REQUEST, 400, "Previous response with id '" + id
                + "' not found. It may have expired or been stored with store:false; send the whole conversation in"
                + " input instead.", "previous_response_id", "previous_response_not_found", Map.of());
    }

    /** {@code GET}/{@code DELETE /v1/responses/{id}} of a response this key has not stored: vLLM's wording. */
    public static GatewayException responseNotFound(String id) {
        return new GatewayException(ErrorKind.NOT_FOUND, 404, "Response with id '" + id + "' not found.",
                "response_id", null, Map.of());
    }

    public static GatewayException unsupportedParameter(String param, String message) {
        return new GatewayException(ErrorKind.INVALID_REQUEST, 400, message, param, "unsupported_parameter",
                Map.of());
    }

    /** Content the backend cannot take (files, images where it has no vision). */
    public static GatewayException unsupportedContent(String param, String message) {
        return new GatewayException(ErrorKind.INVALID_REQUEST, 400, message, param, "unsupported_content_type",
                Map.of());
    }

    /**
     * The answer to Codex's WebSocket upgrade on {@code GET /v1/responses}: 426 makes it fall back to HTTP for the
     * session at once, where any other failure costs about five slow retries (responses-api.md §4.5).
     */
    public static GatewayException upgradeRequired() {
        return new GatewayException(ErrorKind.INVALID_REQUEST, 426, "WebSocket transport not supported; use HTTP",
                null, "upgrade_required", Map.of());
    }
}
