import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Sluice client that needs nothing but the JDK (17 or newer): one chat completion, then one streamed
 * chat completion whose deltas are printed as they arrive.
 *
 * <pre>
 *   java examples/java/ChatClient.java ["prompt"]
 * </pre>
 *
 * Environment: SLUICE_URL (default http://127.0.0.1:8000), SLUICE_API_KEY (optional), SLUICE_MODEL
 * (default sim, the built-in simulator).
 */
public final class ChatClient {
    private static final String URL = env("SLUICE_URL", "http://127.0.0.1:8000").replaceAll("/+$", "");
    private static final String KEY = env("SLUICE_API_KEY", "");
    private static final String MODEL = env("SLUICE_MODEL", "sim");

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    public static void main(String[] args) throws Exception {
        String prompt = args.length > 0 ? args[0] : "Say hello in one sentence.";

        System.out.println("== chat");
        Map<String, Object> completion = chat(prompt);
        Map<String, Object> message = map(first(completion.get("choices")).get("message"));
        System.out.println(message.get("content"));
        System.out.println("usage: " + completion.get("usage"));

        System.out.println();
        System.out.println("== stream");
        String text = stream(prompt);
        System.out.println();
        System.out.println("(" + text.length() + " characters streamed)");
    }

    /** POST /v1/chat/completions without streaming; returns the parsed response. */
    static Map<String, Object> chat(String prompt) throws IOException, InterruptedException {
        String body = "{\"model\":" + Json.quote(MODEL) + ",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
                + "\"content\":" + Json.quote(prompt) + "}]}";
        HttpResponse<String> response = HTTP.send(request(body), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + " (x-request-id "
                    + response.headers().firstValue("x-request-id").orElse("-") + "): " + response.body());
        }
        return map(Json.parse(response.body()));
    }

    /**
     * POST /v1/chat/completions with {@code stream: true}. Reads the server-sent events line by line and
     * prints each content delta as soon as it arrives. Returns the whole text.
     */
    static String stream(String prompt) throws IOException, InterruptedException {
        String body = "{\"model\":" + Json.quote(MODEL) + ",\"stream\":true,\"max_tokens\":64,\"messages\":[{\"role\":"
                + "\"user\",\"content\":" + Json.quote(prompt) + "}]}";
        HttpResponse<Stream<String>> response = HTTP.send(request(body), HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            // errors found before the stream starts come back as an ordinary JSON error response
            String error = String.join("\n", (Iterable<String>) response.body()::iterator);
            throw new IOException("HTTP " + response.statusCode() + ": " + error);
        }
        StringBuilder text = new StringBuilder();
        try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (!line.startsWith("data:")) {
                    continue; // blank separators and ": keep-alive" comments
                }
                String data = line.substring(5).trim();
                if (data.equals("[DONE]")) {
                    return text.toString(); // the normal end of a stream
                }
                Map<String, Object> event = map(Json.parse(data));
                if (event.containsKey("error")) {
                    // a failure after the stream started: the last event, with no [DONE] after it
                    throw new IOException("stream failed: " + map(event.get("error")).get("message"));
                }
                for (Object choice : list(event.get("choices"))) {
                    Object delta = map(choice).get("delta");
                    Object content = delta == null ? null : map(delta).get("content");
                    if (content instanceof String s && !s.isEmpty()) {
                        System.out.print(s);
                        System.out.flush();
                        text.append(s);
                    }
                }
            }
        }
        throw new IOException("the stream ended without [DONE]");
    }

    private static HttpRequest request(String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(URL + "/v1/chat/completions"))
                .timeout(Duration.ofMinutes(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (!KEY.isEmpty()) {
            b.header("Authorization", "Bearer " + KEY);
        }
        return b.build();
    }

    private static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v.trim();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map ? (Map<String, Object>) o : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o instanceof List ? (List<Object>) o : List.of();
    }

    private static Map<String, Object> first(Object o) {
        List<Object> l = list(o);
        return l.isEmpty() ? Map.of() : map(l.get(0));
    }

    /** Just enough JSON for this example: objects, arrays, strings, numbers, booleans, null. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json p = new Json(text);
            Object v = p.value();
            p.ws();
            if (p.i != text.length()) {
                throw new IllegalArgumentException("trailing data at " + p.i);
            }
            return v;
        }

        static String quote(String v) {
            StringBuilder b = new StringBuilder("\"");
            for (char c : v.toCharArray()) {
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            return b.append('"').toString();
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private Object value() {
            ws();
            if (i >= s.length()) {
                throw new IllegalArgumentException("unexpected end of JSON");
            }
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                ws();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    ws();
                    String k = string();
                    ws();
                    expect(':');
                    m.put(k, value());
                    ws();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect('}');
                        return m;
                    }
                }
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                ws();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    ws();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect(']');
                        return l;
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            if (s.startsWith("true", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            if (s.startsWith("null", i)) {
                i += 4;
                return null;
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("unexpected '" + c + "' at " + i);
            }
            String n = s.substring(start, i);
            return n.matches("-?\\d+") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> b.append(e); // \" \\ \/
                }
            }
        }

        private void expect(char c) {
            if (i >= s.length() || s.charAt(i) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i);
            }
            i++;
        }
    }
}
