package dev.sluice.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns any runtime's error body into a {@link GatewayException} (protocols.md §4.4, §3.10). Runtimes use
 * at least seven shapes; the upstream status is kept except where it would mislead the client.
 */
public final class UpstreamErrors {
    private static final int MAX_MESSAGE = 1024;
    private static final Pattern VLLM_LIMIT = Pattern.compile("maximum context length is (\\d+) tokens");
    /** Older vLLM: "However, you requested 5000 tokens (4000 in the messages, 1000 in the completion)". */
    private static final Pattern VLLM_SPLIT = Pattern.compile("\\((\\d+) in the messages, (\\d+) in the completion\\)");
    /** Newer vLLM: "'max_tokens' ... is too large: 8000. ... your request has 2778 input tokens". */
    private static final Pattern VLLM_TOO_LARGE = Pattern.compile(
            "is too large: (\\d+)\\..*?your request has (\\d+) input tokens", Pattern.DOTALL);
    /** The prompt alone: "your request has 5000 input tokens" / "you requested 5000 tokens". */
    private static final Pattern VLLM_PROMPT = Pattern.compile("(?:your request has|you requested) (\\d+) (?:input )?tokens");

    private UpstreamErrors() {}

    /** What the body said, before classification. */
    public record Parsed(String message, String type, String code, String param) {
        public Parsed(String message, String type, String code) {
            this(message, type, code, null);
        }
    }

    public static Parsed parse(byte[] body) {
        JsonNode root = Json.tryParse(body);
        if (root == null || !root.isObject()) {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            if (text.startsWith("<")) {
                return new Parsed("upstream returned a non-JSON (HTML) error page", null, null);
            }
            return new Parsed(text.isEmpty() ? null : text, null, null);
        }
        JsonNode error = root.get("error");
        if (error != null && error.isObject()) {
            // shapes 1 (Anthropic) and 2 (OpenAI, vLLM, llama.cpp, LocalAI, Ollama /v1)
            return new Parsed(Json.text(error, "message"), Json.text(error, "type"), code(error.get("code")),
                    Json.text(error, "param"));
        }
        if ("error".equals(Json.text(root, "object"))) {
            return new Parsed(Json.text(root, "message"), Json.text(root, "type"), code(root.get("code")),
                    Json.text(root, "param"));
        }
        if (error != null && error.isTextual()) {
            // shapes 4 (TGI, with error_type) and 5 (Ollama native, LM Studio)
            return new Parsed(error.asText(), Json.text(root, "error_type"), null);
        }
        JsonNode detail = root.get("detail");
        if (detail != null) {
            if (detail.isTextual()) {
                return new Parsed(detail.asText(), null, null);
            }
            if (detail.isArray()) {
                StringBuilder sb = new StringBuilder();
                for (JsonNode d : detail) {
                    if (!sb.isEmpty()) {
                        sb.append("; ");
                    }
                    String msg = Json.text(d, "msg");
                    JsonNode loc = d.get("loc");
                    if (loc != null && loc.isArray()) {
                        sb.append(loc.toString()).append(": ");
                    }
                    sb.append(msg == null ? d.toString() : msg);
                }
                return new Parsed(sb.toString(), null, null);
            }
        }
        String message = Json.text(root, "message");
        return new Parsed(message, Json.text(root, "type"), null);
    }

    private static String code(JsonNode code) {
        if (code == null || code.isNull()) {
            return null;
        }
        return code.asText();
    }

    /**
     * Classifies an upstream error response.
     *
     * @param secret the backend key, scrubbed from anything echoed back (a runtime may echo a URL or header)
     */
    public static GatewayException from(int status, byte[] body, Map<String, String> upstreamHeaders, String secret) {
        Parsed p = parse(body);
        String msg = p.message() == null || p.message().isBlank() ? "upstream returned HTTP " + status : p.message();
        msg = scrub(msg, secret);
        if (msg.length() > MAX_MESSAGE) {
            msg = msg.substring(0, MAX_MESSAGE) + "…";
        }
        String lower = msg.toLowerCase(Locale.ROOT);
        String type = p.type() == null ? "" : p.type().toLowerCase(Locale.ROOT);
        Map<String, String> headers = new HashMap<>();
        String retryAfter = upstreamHeaders.get("retry-after");
        if (retryAfter != null && retryAfter.matches("\\d{1,6}")) {
            headers.put("Retry-After", retryAfter);
        }
        // the real Anthropic API's own request id and retry advice reach the client as they were sent
        String requestId = upstreamHeaders.get("request-id");
        if (requestId != null && requestId.matches("[A-Za-z0-9_-]{1,128}")) {
            headers.put("request-id", requestId);
        }
        String shouldRetry = upstreamHeaders.get("x-should-retry");
        if ("true".equals(shouldRetry) || "false".equals(shouldRetry)) {
            headers.put("x-should-retry", shouldRetry);
        }
        String param = p.param();
        // a runtime's type names the overflow at any status; its words only on a 4xx: a 500 that mentions the
        // context length is still the runtime's failure, and a 400 would stop the client from retrying it
        if (type.contains("exceed_context_size") || (status >= 400 && status < 500 && isContextOverflow(lower))) {
            return new GatewayException(ErrorKind.CONTEXT_LENGTH, 400, contextMessage(msg, body), "messages",
                    "context_length_exceeded", headers);
        }
        return switch (status) {
            case 401 -> new GatewayException(ErrorKind.BAD_GATEWAY, 502,
                    "the backend rejected the gateway's credentials (HTTP 401); check BACKEND_API_KEY", null, null,
                    headers);
            case 402 -> new GatewayException(ErrorKind.BILLING, 402, msg, null, null, headers);
            // the key is valid but may not use this model or resource: the client's answer, not a retry
            case 403 -> new GatewayException(ErrorKind.PERMISSION, 403, msg, null, null, headers);
            case 404 -> {
                String code = lower.contains("model") ? "model_not_found" : null;
                yield new GatewayException(ErrorKind.NOT_FOUND, 404, msg, code == null ? param : "model", code,
                        headers);
            }
            case 408 -> new GatewayException(ErrorKind.TIMEOUT, 408, msg, null, null, headers);
            case 409 -> new GatewayException(ErrorKind.CONFLICT, 409, msg, param, null, headers);
            case 413 -> new GatewayException(ErrorKind.REQUEST_TOO_LARGE, 413, msg, param, null, headers);
            case 429 -> {
                headers.putIfAbsent("Retry-After", "1");
                // TGI answers 429 "Model is overloaded" when its queue is full: the runtime is busy, not the key
                yield type.contains("overloaded") || lower.contains("overloaded")
                        ? new GatewayException(ErrorKind.OVERLOADED, 503, msg, null, null, headers)
                        : new GatewayException(ErrorKind.RATE_LIMITED, 429, msg, null, "rate_limit_exceeded", headers);
            }
            // llama.cpp without --embeddings: asking again will not help, so no SDK should retry it
            case 501 -> new GatewayException(ErrorKind.NOT_SUPPORTED, 501, msg, param, null, headers);
            case 503, 529 -> {
                // 529 is the real Anthropic API's overloaded_error
                headers.putIfAbsent("Retry-After", "1");
                yield new GatewayException(ErrorKind.OVERLOADED, 503, msg, null, null, headers);
            }
            case 504 -> new GatewayException(ErrorKind.TIMEOUT, 504, msg, null, null, headers);
            // TGI's "generation failed" (InferError::GenerationError): the runtime failed, not the request, so
            // the client gets a retryable server error rather than a 4xx it would not retry (protocols.md §3.10)
            case 424 -> new GatewayException(ErrorKind.API_ERROR, 500, msg, null, null, headers);
            case 400, 422 -> new GatewayException(ErrorKind.INVALID_REQUEST, 400, msg, param,
                    numericOrNull(p.code()), headers);
            default -> {
                if (status >= 500) {
                    yield new GatewayException(ErrorKind.API_ERROR, status, msg, null, null, headers);
                }
                if (status >= 400) {
                    yield new GatewayException(ErrorKind.UPSTREAM_CLIENT_ERROR, status, msg, param,
                            numericOrNull(p.code()), headers);
                }
                // an error body under a 2xx (seen from vLLM-style servers): still an error
                yield new GatewayException(ErrorKind.BAD_GATEWAY, 502, msg, null, null, headers);
            }
        };
    }

    /** Runtimes put the HTTP status as an integer in {@code code}; OpenAI clients expect a string code or null. */
    private static String numericOrNull(String code) {
        return code == null || code.matches("\\d+") ? null : code;
    }

    private static boolean isContextOverflow(String lower) {
        return lower.contains("maximum context length")
                || lower.contains("context length")
                || lower.contains("context window")
                || lower.contains("prompt is too long")
                || (lower.contains("max_new_tokens") && lower.contains("must be <="))
                || lower.contains("exceeds the available context size");
    }

    /**
     * Context overflows in the two wordings of the real Anthropic API that clients parse (protocols.md §1.10):
     * "prompt is too long: N tokens > M maximum" when the prompt alone does not fit (Claude Code compacts), and
     * "input length and `max_tokens` exceed context limit: A + B > M" when the prompt fits but prompt plus
     * max_tokens does not (Claude Code retries with a smaller max_tokens). vLLM's message says which, with the
     * counts; llama.cpp gives n_prompt_tokens / n_ctx. The runtime's own message follows in parentheses.
     */
    private static String contextMessage(String msg, byte[] body) {
        Matcher limit = VLLM_LIMIT.matcher(msg);
        if (limit.find()) {
            long max = Long.parseLong(limit.group(1));
            Matcher split = VLLM_SPLIT.matcher(msg);
            if (split.find()) {
                return overBudget(Long.parseLong(split.group(1)), Long.parseLong(split.group(2)), max, msg);
            }
            Matcher tooLarge = VLLM_TOO_LARGE.matcher(msg);
            if (tooLarge.find()) {
                return overBudget(Long.parseLong(tooLarge.group(2)), Long.parseLong(tooLarge.group(1)), max, msg);
            }
            Matcher prompt = VLLM_PROMPT.matcher(msg);
            if (prompt.find()) {
                return promptTooLong(Long.parseLong(prompt.group(1)), max, msg);
            }
        }
        JsonNode root = Json.tryParse(body);
        JsonNode err = root == null ? null : root.path("error");
        if (err != null && err.path("n_prompt_tokens").canConvertToLong() && err.path("n_ctx").canConvertToLong()) {
            return promptTooLong(err.path("n_prompt_tokens").asLong(), err.path("n_ctx").asLong(), msg);
        }
        return msg.toLowerCase(Locale.ROOT).startsWith("prompt is too long") ? msg : "prompt is too long: " + msg;
    }

    private static String promptTooLong(long prompt, long max, String msg) {
        return "prompt is too long: " + prompt + " tokens > " + max + " maximum (" + msg + ")";
    }

    private static String overBudget(long input, long maxTokens, long max, String msg) {
        if (input >= max) {
            return promptTooLong(input, max, msg);
        }
        return "input length and `max_tokens` exceed context limit: " + input + " + " + maxTokens + " > " + max
                + ", decrease input length or max_tokens and try again (" + msg + ")";
    }

    /**
     * The status an in-band error chunk stands for: runtimes that put the HTTP status in {@code code} (vLLM,
     * llama.cpp, SGLang) say which; otherwise it is a server error.
     */
    public static int inBandStatus(JsonNode chunk) {
        JsonNode code = chunk.path("error").isObject() ? chunk.path("error").path("code") : chunk.path("code");
        int c = code.canConvertToInt() ? code.asInt() : code.isTextual() && code.asText().matches("\\d{3}")
                ? Integer.parseInt(code.asText()) : 0;
        if (c >= 400 && c <= 599) {
            return c;
        }
        // an Anthropic error event names its type, not its status (protocols.md §1.10)
        return switch (chunk.path("error").path("type").asText("")) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "billing_error" -> 402;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "timeout_error" -> 504;
            case "overloaded_error" -> 529;
            default -> 500;
        };
    }

    /** {@code event} with every occurrence of {@code secret} replaced; the same array when there is none. */
    public static byte[] scrub(byte[] event, String secret) {
        if (secret == null || secret.isEmpty() || event == null) {
            return event;
        }
        String text = new String(event, StandardCharsets.UTF_8);
        return text.contains(secret) ? text.replace(secret, "[redacted]").getBytes(StandardCharsets.UTF_8) : event;
    }

    public static String scrub(String text, String secret) {
        if (secret == null || secret.isEmpty() || text == null) {
            return text;
        }
        return text.replace(secret, "[redacted]");
    }

    /** Detects an error object delivered inside a stream chunk or a 2xx body. */
    /**
     * {@link #isErrorPayload(JsonNode)} on a body's bytes, parsed only when they could hold one: every error payload
     * has the bytes {@code "error"} (its key, or {@code "object":"error"}) unless a name is written with
     * {@code \\u} escapes, so a body with neither is no error and a successful answer is not parsed twice (its
     * translation parses it anyway; docs/PERFORMANCE.md).
     */
    public static boolean isErrorPayload(byte[] body) {
        return body != null && (indexOf(body, ERROR_BYTES) >= 0 || indexOf(body, ESCAPE_BYTES) >= 0)
                && isErrorPayload(Json.tryParse(body));
    }

    private static final byte[] ERROR_BYTES = "\"error\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ESCAPE_BYTES = {'\\', 'u'};

    private static int indexOf(byte[] hay, byte[] needle) {
        byte first = needle[0];
        outer:
        for (int i = 0, last = hay.length - needle.length; i <= last; i++) {
            if (hay[i] != first) {
                continue;
            }
            for (int k = 1; k < needle.length; k++) {
                if (hay[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    public static boolean isErrorPayload(JsonNode node) {
        if (node == null || !node.isObject()) {
            return false;
        }
        JsonNode error = node.get("error");
        // what the OpenAI SDKs raise on (`if data.get("error")`): any truthy error, an array or a number included
        boolean truthy = error != null && (error.isObject() || (error.isTextual() && !error.asText().isEmpty())
                || (error.isArray() && !error.isEmpty()) || (error.isNumber() && error.asDouble() != 0)
                || (error.isBoolean() && error.asBoolean()));
        return truthy || "error".equals(Json.text(node, "object"));
    }
}
