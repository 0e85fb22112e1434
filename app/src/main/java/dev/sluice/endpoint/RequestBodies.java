package dev.sluice.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.RequestCaps;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.JsonBudget;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * A client's body, from bytes to a JSON object, within {@link RequestCaps}: every cap is checked on the bytes first
 * (one streaming pass, {@link JsonBudget}), so a body over a cap costs a read and never a tree. Then the token fields
 * every dialect shares are checked, because they become limiter reservations: they must be whole numbers from 0 to
 * MAX_OUTPUT_TOKENS, never something that overflows a long or reaches Redis as {@code 1e+17}.
 */
public final class RequestBodies {
    /** The fields that ask for output tokens: OpenAI chat (both spellings), Anthropic, Responses. */
    public static final List<String> TOKEN_FIELDS = List.of("max_tokens", "max_completion_tokens",
            "max_output_tokens");

    private final RequestCaps caps;
    private final JsonBudget.Limits limits;

    public RequestBodies(RequestCaps caps) {
        this.caps = caps;
        this.limits = new JsonBudget.Limits(caps.maxJsonNodes(), caps.maxJsonArrayLength(), Map.of(
                "messages", caps.maxMessages(), "tools", caps.maxTools(), "functions", caps.maxTools()));
    }

    public RequestCaps caps() {
        return caps;
    }

    /** The body as a JSON object within the caps, its token fields checked; a 400 or 413 otherwise. */
    public ObjectNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw GatewayException.invalid("the request body is empty; send a JSON object", null);
        }
        JsonBudget.Violation v = JsonBudget.check(body, limits);
        if (v != null) {
            throw refusal(v);
        }
        JsonNode node;
        try {
            node = Json.parse(body);
        } catch (IOException e) {
            throw GatewayException.invalid("the request body is not valid JSON: " + firstLine(e.getMessage()), null);
        }
        if (node == null || !node.isObject()) {
            throw GatewayException.invalid("the request body must be a JSON object", null);
        }
        ObjectNode json = (ObjectNode) node;
        checkTokenFields(json, caps.maxOutputTokens());
        return json;
    }

    /**
     * The caps alone, on a body read as a stream (e.g. straight from the network buffers, before any copy of it is
     * made on the heap); throws the same 400 or 413 as {@link #parse}.
     */
    public void checkCost(InputStream body, long length) {
        if (JsonBudget.withinByLength(length, limits)) {
            return;
        }
        JsonBudget.Violation v = JsonBudget.check(body, limits);
        if (v != null) {
            throw refusal(v);
        }
    }

    /** Each token field that is present (and not null) must be a whole number from 0 to {@code max}. */
    static void checkTokenFields(ObjectNode json, long max) {
        for (String f : TOKEN_FIELDS) {
            JsonNode n = json.get(f);
            if (n == null || n.isNull()) {
                continue;
            }
            if (!n.isIntegralNumber()) {
                throw GatewayException.invalid("'" + f + "' must be a whole number (e.g. 1024)"
                        + (n.isNumber() ? ", not a decimal or exponent" : ", not " + kind(n)), f);
            }
            if (!n.canConvertToLong() || n.asLong() < 0 || n.asLong() > max) {
                throw GatewayException.invalid("'" + f + "' is " + (n.canConvertToLong() && n.asLong() < 0
                        ? "negative" : "larger than this gateway allows") + " (expected: from 0 to " + max
                        + ", MAX_OUTPUT_TOKENS)", f);
            }
        }
    }

    private static String kind(JsonNode n) {
        return n.isTextual() ? "a string" : n.isBoolean() ? "a boolean" : n.isArray() ? "an array" : "an object";
    }

    private static GatewayException refusal(JsonBudget.Violation v) {
        return switch (v.kind()) {
            case NODES -> tooLarge("the request body has more than " + v.limit() + " JSON values (MAX_JSON_NODES);"
                    + " send less per request");
            case ARRAY_LENGTH -> tooLarge("an array in the request body has more than " + v.limit()
                    + " elements (MAX_JSON_ARRAY_LENGTH); send less per request");
            case FIELD_LENGTH -> GatewayException.invalid("'" + v.field() + "' has more than " + v.limit() + " entries ("
                    + (v.field().equals("messages") ? "MAX_MESSAGES" : "MAX_TOOLS") + ")", v.field());
        };
    }

    private static GatewayException tooLarge(String message) {
        return new GatewayException(ErrorKind.REQUEST_TOO_LARGE, 413, message, null, "request_too_large", Map.of());
    }

    private static String firstLine(String msg) {
        if (msg == null) {
            return "parse error";
        }
        int nl = msg.indexOf('\n');
        String line = nl < 0 ? msg : msg.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
