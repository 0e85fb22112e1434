package dev.sluice.lambda.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The bootstrap against a loopback fake of the Lambda Runtime API, with the real gateway inside on
 * BACKEND_KIND=sim at 10 tokens/s, so a 10-token stream takes about a second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StreamingRuntimeTest {
    private static final long DEADLINE_MS = 60_000;
    private FakeRuntimeApi fake;
    private StreamingRuntime runtime;

    @BeforeAll
    void start() throws Exception {
        fake = new FakeRuntimeApi();
        Map<String, String> env = Events.env("BACKEND_KIND", "sim", "API_KEYS", "k1", "SIM_TTFT_MS", "5",
                "SIM_TOKENS_PER_S", "10", "LAMBDA_MAX_TOKENS", "10", "LOG_LEVEL", "warn");
        runtime = StreamingRuntime.boot(new RuntimeApi(fake.hostPort()), env::get, StreamingRuntime.asProperties(env));
        assertNotNull(runtime, "the runtime booted");
        Thread loop = new Thread(runtime::loop, "lambda-loop");
        loop.setDaemon(true);
        loop.start();
        // one request per dialect first: the timed cases below measure streaming, not a cold JVM loading the
        // translators (the stream-cap case has 0.8 s for its first byte)
        for (String[] warm : new String[][] {
                {"/v1/messages", "{\"model\":\"sim\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"},
                {"/v1/chat/completions", "{\"model\":\"sim\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"},
                {"/v1/responses", "{\"model\":\"sim\",\"max_output_tokens\":2,\"input\":\"hi\"}"}}) {
            invoke(Events.functionUrl("POST", warm[0], warm[1], "authorization", "Bearer k1",
                    "anthropic-version", "2023-06-01"), DEADLINE_MS);
        }
    }

    @AfterAll
    void stop() throws Exception {
        runtime.close();
        fake.close();
    }

    private FakeRuntimeApi.Post invoke(String event, long deadlineMs) throws InterruptedException {
        String id = fake.enqueue(event, deadlineMs);
        FakeRuntimeApi.Post p = fake.await("/invocation/" + id + "/response", 20_000);
        p.headers.put("x-test-request-id", id);
        return p;
    }

    @Test
    void a_stream_arrives_chunk_by_chunk_after_the_prelude() throws Exception {
        FakeRuntimeApi.Post post = invoke(Events.functionUrl("POST", "/v1/chat/completions",
                "{\"model\":\"sim\",\"stream\":true,\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "authorization", "Bearer k1"), DEADLINE_MS);

        assertEquals("streaming", post.header("Lambda-Runtime-Function-Response-Mode"));
        assertEquals("chunked", post.header("Transfer-Encoding"));
        assertEquals(ResponseStream.CONTENT_TYPE, post.header("Content-Type"));
        byte[] body = post.body();
        JsonNode prelude = Events.prelude(body);
        assertEquals(200, prelude.path("statusCode").asInt(), prelude.toString());
        assertTrue(prelude.path("headers").path("content-type").asText().startsWith("text/event-stream"), prelude.toString());
        assertTrue(prelude.path("cookies").isArray());
        assertTrue(post.trailers.isEmpty(), "no error trailers: " + post.trailers);
        String sse = Events.afterPrelude(body);
        assertTrue(sse.endsWith("data: [DONE]\n\n"), sse);

        // the prelude is the first chunk; every chunk after it holds whole events, sent as the sim produced them
        List<FakeRuntimeApi.Chunk> chunks = post.chunks.subList(1, post.chunks.size());
        long content = chunks.stream().filter(c -> new String(c.bytes(), StandardCharsets.UTF_8).contains("\"content\"")).count();
        assertTrue(content >= 5, "content arrived in " + content + " chunks");
        long firstMs = (chunks.get(0).atNanos() - fake.fetchedAt(post.header("x-test-request-id"))) / 1_000_000;
        long spreadMs = (chunks.get(chunks.size() - 1).atNanos() - chunks.get(0).atNanos()) / 1_000_000;
        System.out.printf("lambda-stream: event fetched -> first body chunk at the fake %d ms; first -> last chunk %d ms;"
                + " %d chunks%n", firstMs, spreadMs, chunks.size());
        assertTrue(spreadMs >= 500, "10 tokens at 10/s should spread over ~1 s, not arrive at once: " + spreadMs + " ms");
        assertTrue(firstMs < spreadMs, "first chunk " + firstMs + " ms, spread " + spreadMs + " ms");
    }

    @Test
    void a_responses_api_stream_arrives_with_its_events_and_the_cap_on_max_output_tokens() throws Exception {
        FakeRuntimeApi.Post post = invoke(Events.functionUrl("POST", "/v1/responses",
                "{\"model\":\"sim\",\"stream\":true,\"max_output_tokens\":5000,\"input\":\"hi\"}",
                "authorization", "Bearer k1"), DEADLINE_MS);

        JsonNode prelude = Events.prelude(post.body());
        assertEquals(200, prelude.path("statusCode").asInt(), prelude.toString());
        String sse = Events.afterPrelude(post.body());
        assertTrue(sse.startsWith("event: response.created"), sse);
        assertTrue(sse.contains("event: response.output_text.delta"), sse);
        assertTrue(sse.contains("\"status\":\"incomplete\""), "LAMBDA_MAX_TOKENS=10 ends the answer early: " + sse);
        assertTrue(post.trailers.isEmpty(), "no error trailers: " + post.trailers);
    }

    @Test
    void a_buffered_request_gets_the_prelude_then_json_and_max_tokens_is_capped() throws Exception {
        FakeRuntimeApi.Post post = invoke(Events.functionUrl("POST", "/v1/chat/completions",
                "{\"model\":\"sim\",\"max_tokens\":5000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "authorization", "Bearer k1"), DEADLINE_MS);
        byte[] body = post.body();
        JsonNode prelude = Events.prelude(body);
        assertEquals(200, prelude.path("statusCode").asInt());
        assertTrue(prelude.path("headers").path("content-type").asText().startsWith("application/json"));
        JsonNode completion = Events.json(Events.afterPrelude(body));
        assertEquals("chat.completion", completion.path("object").asText(), completion.toString());
        int tokens = completion.path("usage").path("completion_tokens").asInt();
        assertTrue(tokens > 0 && tokens <= 10, "LAMBDA_MAX_TOKENS=10 caps max_tokens=5000: " + tokens);
    }

    @Test
    void an_error_before_the_first_byte_is_the_status_in_the_prelude() throws Exception {
        FakeRuntimeApi.Post unauth = invoke(Events.functionUrl("POST", "/v1/chat/completions",
                "{\"model\":\"sim\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), DEADLINE_MS);
        assertEquals(401, Events.prelude(unauth.body()).path("statusCode").asInt());
        assertTrue(Events.json(Events.afterPrelude(unauth.body())).path("error").isObject());
        assertTrue(unauth.trailers.isEmpty());

        FakeRuntimeApi.Post missing = invoke(Events.functionUrl("GET", "/v1/nothing-here", null,
                "authorization", "Bearer k1"), DEADLINE_MS);
        assertEquals(404, Events.prelude(missing.body()).path("statusCode").asInt());
    }

    @Test
    void the_stream_cap_ends_a_stream_with_an_error_event_in_its_dialect() throws Exception {
        // a deadline 2.8 s away leaves 0.8 s of streaming; the 10-token stream needs about 1 s
        long t0 = System.nanoTime();
        FakeRuntimeApi.Post post = invoke(Events.functionUrl("POST", "/v1/messages",
                "{\"model\":\"sim\",\"stream\":true,\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "x-api-key", "k1", "anthropic-version", "2023-06-01"), 2_800);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String sse = Events.afterPrelude(post.body());
        assertEquals(200, Events.prelude(post.body()).path("statusCode").asInt());
        assertTrue(sse.contains("event: message_start"), sse);
        assertTrue(sse.endsWith("\n\n") && sse.contains("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"timeout_error\""), sse);
        assertTrue(!sse.contains("message_stop"), "cut before the end: " + sse);
        assertTrue(post.trailers.isEmpty(), "a handled end, not an invocation error: " + post.trailers);
        System.out.printf("lambda-stream: stream cap 800 ms, stream ended %d ms after the event was queued%n", ms);
        assertTrue(ms < 2_600, "ended before the deadline: " + ms + " ms");
    }

    @Test
    void the_stream_cap_ends_an_openai_stream_with_its_error_event_and_no_done_after_it() throws Exception {
        // issue 13: [DONE] after the error told an OpenAI client the stream had ended normally
        FakeRuntimeApi.Post post = invoke(Events.functionUrl("POST", "/v1/chat/completions",
                "{\"model\":\"sim\",\"stream\":true,\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "authorization", "Bearer k1"), 2_800);
        String sse = Events.afterPrelude(post.body());
        assertEquals(200, Events.prelude(post.body()).path("statusCode").asInt());
        assertTrue(sse.contains("\"content\""), sse);
        String last = sse.substring(sse.lastIndexOf("\n\n", sse.length() - 3) + 2);
        assertTrue(last.startsWith("data: {\"error\":") && last.endsWith("\n\n"), "the error event is last: " + sse);
        JsonNode error = Events.json(last.substring("data: ".length()).strip());
        assertEquals("stream_duration_cap", error.at("/error/code").asText(), last);
        assertTrue(!sse.contains("[DONE]"), sse);
        assertTrue(post.trailers.isEmpty(), "a handled end, not an invocation error: " + post.trailers);
    }

    @Test
    void an_event_that_is_not_a_function_url_event_is_an_invocation_error() throws Exception {
        String id = fake.enqueue("{\"hello\":1}", DEADLINE_MS);
        FakeRuntimeApi.Post err = fake.await("/invocation/" + id + "/error", 10_000);
        assertEquals("Runtime.InvalidEvent", err.header("Lambda-Runtime-Function-Error-Type"));
        assertEquals("Runtime.InvalidEvent", Events.json(new String(err.body(), StandardCharsets.UTF_8)).path("errorType").asText());
        assertNotNull(Base64.getEncoder());
    }
}
