package dev.sluice.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import java.nio.charset.StandardCharsets;

/**
 * The limits Lambda imposes that a server does not: generation capped so a reply fits in the function and API
 * Gateway timeouts, and buffered responses under Lambda's 6 MB payload limit.
 */
final class LambdaLimits {
    /** Lambda's buffered response limit is 6 MB for the whole payload: leave room for status and headers. */
    static final int MAX_BODY_BYTES = 6 * 1024 * 1024 - 64 * 1024;

    private final int maxTokens;
    private final long maxRequestBytes;

    /**
     * The outcome of checking a request body: a 413 error body, or the body to send on (null when unchanged).
     */
    record BodyCheck(String rejection, String replacement) {}

    /** Decodes an event body and applies MAX_REQUEST_BYTES and the token cap; both handlers use this. */
    BodyCheck check(String method, String path, String body, boolean base64) {
        byte[] raw = base64 ? java.util.Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        String rejected = tooLargeRequest(path, raw);
        if (rejected != null) {
            return new BodyCheck(rejected, null);
        }
        String text = new String(raw, StandardCharsets.UTF_8);
        String capped = capTokens(method, path, text);
        return new BodyCheck(null, capped.equals(text) ? null : capped);
    }

    /** The 502 error body when a buffered response would exceed Lambda's payload limit, else null. */
    static String responseTooLarge(String path, String body) {
        long size = encodedSize(body);
        return size > MAX_BODY_BYTES ? tooLarge(path, size) : null;
    }

    LambdaLimits(int maxTokens, long maxRequestBytes) {
        this.maxTokens = maxTokens;
        this.maxRequestBytes = maxRequestBytes;
    }

    /**
     * MAX_REQUEST_BYTES, which the Netty server enforces itself and the api-proxy does not: the 413 body in the
     * dialect of the path, or null when the body is within the limit.
     */
    String tooLargeRequest(String path, byte[] body) {
        if (body == null || body.length <= maxRequestBytes) {
            return null;
        }
        return error(path, "invalid_request_error", "request_too_large", "request_too_large",
                "the request body is larger than MAX_REQUEST_BYTES allows");
    }

    int maxTokens() {
        return maxTokens;
    }

    /**
     * The request body with max_tokens / max_completion_tokens at most LAMBDA_MAX_TOKENS; an OpenAI request that
     * names neither gets max_tokens = the cap. Anything that is not a generation request, or not JSON, is
     * returned as it is (the gateway answers it as usual).
     */
    String capTokens(String method, String path, String body) {
        if (body == null || !"POST".equalsIgnoreCase(method) || path == null) {
            return body;
        }
        boolean anthropic = path.endsWith("/v1/messages");
        boolean openAi = path.endsWith("/v1/chat/completions") || path.endsWith("/v1/completions");
        if (!anthropic && !openAi) {
            return body;
        }
        JsonNode node = Json.tryParse(body.getBytes(StandardCharsets.UTF_8));
        if (!(node instanceof ObjectNode json)) {
            return body;
        }
        boolean changed = false;
        boolean named = false;
        for (String f : new String[] {"max_tokens", "max_completion_tokens"}) {
            JsonNode v = json.get(f);
            if (v != null && v.isIntegralNumber()) {
                named = true;
                if (v.asLong() > maxTokens) {
                    json.put(f, maxTokens);
                    changed = true;
                }
            }
        }
        if (openAi && !named) {
            json.put("max_tokens", maxTokens);
            changed = true;
        }
        return changed ? new String(Json.bytes(json), StandardCharsets.UTF_8) : body;
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

    /** The error body that replaces a reply over the 6 MB limit, in the dialect of the path. */
    static String tooLarge(String path, long bytes) {
        String message = "the response (" + bytes + " bytes) is over AWS Lambda's 6 MB limit for buffered responses;"
                + " ask for less (max_tokens, n, fewer embeddings) or use the streaming function URL";
        return error(path, "server_error", "api_error", "response_too_large", message);
    }

    /** An error body: the Anthropic envelope on /v1/messages, the OpenAI one elsewhere. */
    static String error(String path, String openAiType, String anthropicType, String code, String message) {
        ObjectNode out = Json.object();
        if (path != null && path.contains("/v1/messages")) {
            out.put("type", "error");
            ObjectNode e = out.putObject("error");
            e.put("type", anthropicType);
            e.put("message", message);
        } else {
            ObjectNode e = out.putObject("error");
            e.put("message", message);
            e.put("type", openAiType);
            e.put("param", (String) null);
            e.put("code", code);
        }
        return new String(Json.bytes(out), StandardCharsets.UTF_8);
    }
}
