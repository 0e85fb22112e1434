package dev.sluice.lambda.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * The HTTP contract every runtime of the gateway keeps (style.md A5, the Micronaut server TCK pattern): the
 * same tests run against the Netty server and each Lambda handler. A runtime lists what it cannot keep in
 * {@link #exclusions()}, each with its reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class GatewayContract {
    /** The client key every authenticated request carries. */
    protected static final String KEY = "contract-key";
    /** MAX_REQUEST_BYTES for the suite: small, so 413 is cheap to provoke. */
    protected static final int MAX_REQUEST_BYTES = 16 * 1024;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ServerUnderTest server;

    /** Starts the runtime with these environment variables. */
    protected abstract ServerUnderTest start(Map<String, String> env);

    /** Test method name to the reason this runtime does not keep it; empty when it keeps them all. */
    protected Map<String, String> exclusions() {
        return Map.of();
    }

    /** The variables of the suite's gateway: the built-in simulator, one key, a small request limit. */
    protected static Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BACKEND_KIND", "sim");
        env.put("API_KEYS", KEY);
        env.put("SIM_TTFT_MS", "1");
        env.put("SIM_TOKENS_PER_S", "0");
        env.put("MAX_REQUEST_BYTES", Integer.toString(MAX_REQUEST_BYTES));
        env.put("LOG_JSON", "false");
        return env;
    }

    @BeforeAll
    void startServer() {
        server = start(env());
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void skipExcluded(TestInfo info) {
        String name = info.getTestMethod().orElseThrow().getName();
        String reason = exclusions().get(name);
        Assumptions.assumeTrue(reason == null, () -> "excluded on this runtime: " + reason);
    }

    // ---- OpenAI ----

    @Test
    void openAiChatJson() {
        var r = openAi("POST", "/v1/chat/completions", chat(false));
        assertEquals(200, r.status(), r.body());
        assertTrue(r.header("content-type").startsWith("application/json"), r.header("content-type"));
        JsonNode c = json(r.body());
        assertEquals("chat.completion", c.path("object").asText());
        assertEquals("sim", c.path("model").asText());
        assertEquals("assistant", c.at("/choices/0/message/role").asText());
        assertFalse(c.at("/choices/0/message/content").asText().isEmpty());
        assertTrue(c.at("/usage/completion_tokens").asInt() > 0);
    }

    @Test
    void openAiChatStreamIsFramedSse() {
        var r = openAi("POST", "/v1/chat/completions", chat(true));
        assertEquals(200, r.status(), r.body());
        assertTrue(r.header("content-type").startsWith("text/event-stream"), r.header("content-type"));
        List<Sse> events = sse(r.body());
        assertTrue(events.size() >= 3, r.body());
        assertEquals("[DONE]", events.getLast().data());
        StringBuilder text = new StringBuilder();
        for (Sse e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = json(e.data());
            assertEquals("chat.completion.chunk", chunk.path("object").asText(), e.data());
            text.append(chunk.at("/choices/0/delta/content").asText(""));
        }
        assertFalse(text.isEmpty());
    }

    @Test
    void openAiModels() {
        var r = openAi("GET", "/v1/models", null);
        assertEquals(200, r.status(), r.body());
        JsonNode l = json(r.body());
        assertEquals("list", l.path("object").asText());
        assertEquals("sim", l.at("/data/0/id").asText());
    }

    // ---- OpenAI Responses ----

    @Test
    void responsesJson() {
        var r = openAi("POST", "/v1/responses", "{\"model\":\"sim\",\"input\":\"Hello?\",\"max_output_tokens\":8}");
        assertEquals(200, r.status(), r.body());
        JsonNode resp = json(r.body());
        assertEquals("response", resp.path("object").asText());
        assertTrue(resp.path("id").asText().startsWith("resp_"), r.body());
        assertEquals("output_text", resp.at("/output/0/content/0/type").asText(), r.body());
        assertFalse(resp.at("/output/0/content/0/text").asText().isEmpty());
        assertTrue(resp.at("/usage/output_tokens").asInt() > 0, r.body());
    }

    @Test
    void responsesStreamIsFramedSseWithOneTerminalEvent() {
        var r = openAi("POST", "/v1/responses", "{\"model\":\"sim\",\"input\":\"Hello?\",\"stream\":true,"
                + "\"max_output_tokens\":8}");
        assertEquals(200, r.status(), r.body());
        assertTrue(r.header("content-type").startsWith("text/event-stream"), r.header("content-type"));
        List<Sse> events = sse(r.body());
        assertEquals("response.created", events.getFirst().event(), r.body());
        String last = events.getLast().event();
        assertTrue(last.equals("response.completed") || last.equals("response.incomplete"), r.body());
        long seq = -1;
        for (Sse e : events) {
            long n = json(e.data()).path("sequence_number").asLong();
            assertTrue(n > seq, "sequence_number increases: " + r.body());
            seq = n;
        }
    }

    // ---- Anthropic ----

    @Test
    void anthropicMessagesJson() {
        var r = anthropic("POST", "/v1/messages", message(false), KEY);
        assertEquals(200, r.status(), r.body());
        assertTrue(r.header("content-type").startsWith("application/json"), r.header("content-type"));
        JsonNode m = json(r.body());
        assertEquals("message", m.path("type").asText());
        assertEquals("assistant", m.path("role").asText());
        assertEquals("text", m.at("/content/0/type").asText());
        assertFalse(m.at("/content/0/text").asText().isEmpty());
        assertNotNull(m.get("stop_reason"));
    }

    @Test
    void anthropicMessagesStreamIsFramedSse() {
        var r = anthropic("POST", "/v1/messages", message(true), KEY);
        assertEquals(200, r.status(), r.body());
        assertTrue(r.header("content-type").startsWith("text/event-stream"), r.header("content-type"));
        List<Sse> events = sse(r.body());
        assertEquals("message_start", events.getFirst().event(), r.body());
        assertEquals("message_stop", events.getLast().event(), r.body());
        for (Sse e : events) {
            if (!"ping".equals(e.event())) {
                assertEquals(e.event(), json(e.data()).path("type").asText(), e.data());
            }
        }
        assertTrue(events.stream().anyMatch(e -> "content_block_delta".equals(e.event())), r.body());
    }

    @Test
    void anthropicModels() {
        var r = anthropic("GET", "/v1/models", null, KEY);
        assertEquals(200, r.status(), r.body());
        JsonNode page = json(r.body());
        assertEquals("sim", page.at("/data/0/id").asText());
        assertEquals("model", page.at("/data/0/type").asText());
    }

    // ---- auth ----

    @Test
    void bearerWrongKeyIs401OpenAiEnvelope() {
        var r = send("POST", "/v1/chat/completions", Map.of("Authorization", "Bearer wrong",
                "Content-Type", "application/json"), chat(false));
        assertEquals(401, r.status(), r.body());
        assertTrue(json(r.body()).path("error").has("message"), r.body());
    }

    @Test
    void missingKeyIs401() {
        var r = send("GET", "/v1/models", Map.of(), null);
        assertEquals(401, r.status(), r.body());
    }

    @Test
    void xApiKeyAuthenticatesOpenAiRoutes() {
        var r = send("GET", "/v1/models", Map.of("x-api-key", KEY), null);
        assertEquals(200, r.status(), r.body());
    }

    @Test
    void anthropicWrongKeyIs401AnthropicEnvelope() {
        var r = anthropic("POST", "/v1/messages", message(false), "wrong");
        assertEquals(401, r.status(), r.body());
        JsonNode e = json(r.body());
        assertEquals("error", e.path("type").asText(), r.body());
        assertEquals("authentication_error", e.at("/error/type").asText(), r.body());
    }

    // ---- errors ----

    @Test
    void unknownRouteIs404() {
        var r = openAi("GET", "/v1/no-such-route", null);
        assertEquals(404, r.status(), r.body());
    }

    @Test
    void badJsonIs400OpenAi() {
        var r = openAi("POST", "/v1/chat/completions", "{not json");
        assertEquals(400, r.status(), r.body());
        assertEquals("invalid_request_error", json(r.body()).at("/error/type").asText(), r.body());
    }

    @Test
    void badJsonIs400Anthropic() {
        var r = anthropic("POST", "/v1/messages", "{not json", KEY);
        assertEquals(400, r.status(), r.body());
        assertEquals("invalid_request_error", json(r.body()).at("/error/type").asText(), r.body());
    }

    @Test
    void bodyOverMaxRequestBytesIs413() {
        String big = "{\"model\":\"sim\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "x".repeat(MAX_REQUEST_BYTES * 2) + "\"}]}";
        var r = openAi("POST", "/v1/chat/completions", big);
        assertEquals(413, r.status(), r.body());
    }

    // ---- health ----

    @Test
    void livez() {
        assertEquals(200, send("GET", "/livez", Map.of(), null).status());
    }

    @Test
    void readyz() {
        var r = send("GET", "/readyz", Map.of(), null);
        assertEquals(200, r.status(), r.body());
    }

    @Test
    void health() {
        var r = send("GET", "/health", Map.of(), null);
        assertEquals(200, r.status(), r.body());
        assertTrue(r.header("content-type").startsWith("application/json"), r.header("content-type"));
    }

    // ---- helpers ----

    protected ServerUnderTest.Response send(String method, String path, Map<String, String> headers, String body) {
        return server.send(method, path, headers, body);
    }

    private ServerUnderTest.Response openAi(String method, String path, String body) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Authorization", "Bearer " + KEY);
        if (body != null) {
            h.put("Content-Type", "application/json");
        }
        return send(method, path, h, body);
    }

    private ServerUnderTest.Response anthropic(String method, String path, String body, String key) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("x-api-key", key);
        h.put("anthropic-version", "2023-06-01");
        if (body != null) {
            h.put("Content-Type", "application/json");
        }
        return send(method, path, h, body);
    }

    protected static String chat(boolean stream) {
        return "{\"model\":\"sim\",\"max_tokens\":8,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello?\"}]}";
    }

    protected static String message(boolean stream) {
        return "{\"model\":\"sim\",\"max_tokens\":8,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello?\"}]}";
    }

    protected static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** One server-sent event: its event name (null when it has none) and its data. */
    public record Sse(String event, String data) {}

    /**
     * Parses a complete SSE body strictly: events end with a blank line, every line is a field, and the body
     * ends with the blank line that closes its last event (a client would otherwise drop that event).
     */
    protected static List<Sse> sse(String body) {
        assertTrue(body.endsWith("\n\n"), "an SSE body ends with a blank line: " + body);
        List<Sse> out = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            if (block.isBlank()) {
                continue;
            }
            String event = null;
            StringBuilder data = new StringBuilder();
            for (String line : block.split("\n")) {
                if (line.startsWith(":")) {
                    continue; // comment / keep-alive
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(line.substring(6));
                } else {
                    throw new AssertionError("not an SSE field line: '" + line + "' in " + body);
                }
            }
            if (event != null || !data.isEmpty()) {
                out.add(new Sse(event, data.toString()));
            }
        }
        return out;
    }
}
