package dev.sluice.lambda.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.protocol.ClientDialect;
import dev.sluice.protocol.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of a Function URL (API Gateway HTTP API payload 2.0) event that make one HTTP request.
 * {@code cookies} arrive apart from the headers and are joined back into one {@code Cookie} header.
 */
record FunctionUrlEvent(String method, String rawPath, String rawQueryString, Map<String, String> headers,
                        byte[] body) {

    static FunctionUrlEvent parse(byte[] event) throws IOException {
        JsonNode root = Json.parse(event);
        if (root == null || !root.isObject()) {
            throw new IOException("the event is not a JSON object");
        }
        JsonNode http = root.path("requestContext").path("http");
        String method = http.path("method").asText("");
        if (method.isEmpty()) {
            throw new IOException("the event has no requestContext.http.method: not a Function URL / payload 2.0 event");
        }
        String path = root.path("rawPath").asText(http.path("path").asText("/"));
        Map<String, String> headers = new LinkedHashMap<>();
        root.path("headers").properties().forEach(e -> headers.put(e.getKey().toLowerCase(java.util.Locale.ROOT),
                e.getValue().asText()));
        List<String> cookies = new ArrayList<>();
        root.path("cookies").forEach(c -> cookies.add(c.asText()));
        if (!cookies.isEmpty()) {
            headers.put("cookie", String.join("; ", cookies));
        }
        byte[] body = new byte[0];
        JsonNode b = root.get("body");
        if (b != null && !b.isNull()) {
            body = root.path("isBase64Encoded").asBoolean(false)
                    ? Base64.getDecoder().decode(b.asText())
                    : b.asText().getBytes(StandardCharsets.UTF_8);
        }
        return new FunctionUrlEvent(method, path, root.path("rawQueryString").asText(""), headers, body);
    }

    String pathAndQuery() {
        return rawQueryString.isEmpty() ? rawPath : rawPath + "?" + rawQueryString;
    }

    /** Which API family the caller speaks, for errors the runtime writes itself. */
    ClientDialect dialect() {
        return ClientDialect.of(rawPath, headers.containsKey("anthropic-version"));
    }
}
