package dev.sluice.lambda.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/** Function URL events (payload 2.0) and readers for what the runtime posted. */
final class Events {
    private Events() {}

    static String functionUrl(String method, String path, String body, String... headers) {
        ObjectNode e = Json.NODES.objectNode();
        e.put("version", "2.0");
        e.put("rawPath", path);
        e.put("rawQueryString", "");
        ObjectNode h = e.putObject("headers");
        h.put("content-type", "application/json");
        h.put("host", "abc.lambda-url.eu-west-1.on.aws");
        for (int i = 0; i < headers.length; i += 2) {
            h.put(headers[i], headers[i + 1]);
        }
        ObjectNode http = e.putObject("requestContext").putObject("http");
        http.put("method", method);
        http.put("path", path);
        if (body != null) {
            e.put("body", body);
        }
        e.put("isBase64Encoded", false);
        return Json.string(e);
    }

    /** Index of the 8 NUL bytes ending the prelude, or -1. */
    static int separator(byte[] body) {
        outer:
        for (int i = 0; i + 8 <= body.length; i++) {
            for (int j = 0; j < 8; j++) {
                if (body[i + j] != 0) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static JsonNode prelude(byte[] body) {
        int s = separator(body);
        if (s < 0) {
            throw new AssertionError("no 8-NUL separator in: " + new String(body, StandardCharsets.UTF_8));
        }
        return json(new String(Arrays.copyOf(body, s), StandardCharsets.UTF_8));
    }

    static String afterPrelude(byte[] body) {
        int s = separator(body);
        return new String(body, s + 8, body.length - s - 8, StandardCharsets.UTF_8);
    }

    static JsonNode json(String text) {
        try {
            return Json.parse(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    static Map<String, String> env(String... kv) {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
