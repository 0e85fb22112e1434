package dev.sluice.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.ratelimit.TokenCap;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The limits Lambda imposes that a server does not: generation capped ({@link TokenCap}) so a reply fits in the
 * function and API Gateway timeouts, MAX_REQUEST_BYTES (which the api-proxy does not enforce), and buffered
 * responses under Lambda's 6 MB payload limit. Failures are {@link GatewayException}s; the handler renders them
 * in the caller's dialect.
 */
final class LambdaLimits {
    /** Lambda's buffered response limit is 6 MB for the whole payload: leave room for status and headers. */
    static final int MAX_BODY_BYTES = 6 * 1024 * 1024 - 64 * 1024;

    private final TokenCap tokens;
    private final long maxRequestBytes;

    LambdaLimits(TokenCap tokens, long maxRequestBytes) {
        this.tokens = tokens;
        this.maxRequestBytes = maxRequestBytes;
    }

    /**
     * Decodes an event body and applies MAX_REQUEST_BYTES and the token cap.
     *
     * @return the body to send on instead (plain text), or null when it goes on as it is
     * @throws GatewayException 413 over MAX_REQUEST_BYTES; 400 when a token field is not a number of tokens
     */
    String check(String method, String path, String body, boolean base64) {
        byte[] raw = base64 ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        if (raw.length > maxRequestBytes) {
            throw GatewayException.of(ErrorKind.REQUEST_TOO_LARGE,
                    "the request body is larger than MAX_REQUEST_BYTES allows");
        }
        JsonNode json = Json.tryParse(raw);
        if (!(json instanceof ObjectNode o) || !tokens.apply(method, path, o)) {
            return null; // not JSON: the gateway answers it as usual
        }
        return new String(Json.bytes(o), StandardCharsets.UTF_8);
    }

    /** The 502 for a buffered response over Lambda's payload limit, or null when it fits. */
    static GatewayException responseTooLarge(String body) {
        long size = encodedSize(body);
        return size > MAX_BODY_BYTES ? tooLarge(size) : null;
    }

    /** Bytes the body takes in the Lambda response payload (UTF-8; a base64 body is already ASCII). */
    static long encodedSize(String body) {
        if (body == null) {
            return 0;
        }
        if (body.length() <= MAX_BODY_BYTES / 3) {
            return body.length(); // cannot be over the limit: skip the count
        }
        return body.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The error that replaces a reply over the 6 MB limit. */
    static GatewayException tooLarge(long bytes) {
        return new GatewayException(ErrorKind.BAD_GATEWAY, 502, "the response (" + bytes + " bytes) is over AWS"
                + " Lambda's 6 MB limit for buffered responses; ask for less (max_tokens, n, fewer embeddings) or use"
                + " the streaming function URL", null, "response_too_large", Map.of());
    }
}
