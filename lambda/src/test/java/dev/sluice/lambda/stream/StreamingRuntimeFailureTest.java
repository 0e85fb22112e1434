package dev.sluice.lambda.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.ClientDialect;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Failures reported through the Runtime API: at init, before the first byte, and mid-stream (trailers). */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StreamingRuntimeFailureTest {
    private static final String CHAT = "{\"model\":\"sim\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void a_bad_variable_is_posted_to_init_error_and_nothing_starts() throws Exception {
        try (FakeRuntimeApi fake = new FakeRuntimeApi()) {
            Map<String, String> env = Events.env("BACKEND_KIND", "gpt-cloud", "LAMBDA_MAX_STREAM_S", "forever");
            assertNull(StreamingRuntime.boot(new RuntimeApi(fake.hostPort()), env::get, StreamingRuntime.asProperties(env)));
            FakeRuntimeApi.Post post = fake.await("/init/error", 5_000);
            assertEquals("Runtime.ConfigError", post.header("Lambda-Runtime-Function-Error-Type"));
            JsonNode body = Events.json(new String(post.body(), StandardCharsets.UTF_8));
            assertEquals("Runtime.ConfigError", body.path("errorType").asText());
            assertTrue(body.path("errorMessage").asText().contains("BACKEND_KIND=gpt-cloud"), body.toString());
            assertTrue(body.path("errorMessage").asText().contains("LAMBDA_MAX_STREAM_S=forever"), body.toString());

            Map<String, String> env2 = Events.env("BACKEND_KIND", "sim", "LAMBDA_MAX_STREAM_S", "forever");
            assertNull(StreamingRuntime.boot(new RuntimeApi(fake.hostPort()), env2::get, StreamingRuntime.asProperties(env2)));
            JsonNode body2 = Events.json(new String(fake.await("/init/error", 5_000).body(), StandardCharsets.UTF_8));
            assertTrue(body2.path("errorMessage").asText().contains("LAMBDA_MAX_STREAM_S"), body2.toString());
        }
    }

    @Test
    void a_stream_that_breaks_off_is_reported_in_the_trailers() throws Exception {
        try (FakeRuntimeApi fake = new FakeRuntimeApi(); ServerSocket gateway = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            // a gateway that starts an SSE stream, sends two events and drops the connection without the last chunk
            Thread t = new Thread(() -> {
                try (Socket s = gateway.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                    in.readNBytes(in.available());
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    for (String e : new String[] {"data: {\"n\":1}\n\n", "data: {\"n\":2}\n\n"}) {
                        out.write((Integer.toHexString(e.length()) + "\r\n" + e + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        Thread.sleep(50);
                    }
                    s.setSoLinger(true, 0); // RST
                } catch (Exception ignored) {
                    // done
                }
            });
            t.setDaemon(true);
            t.start();
            try (StreamingRuntime runtime = new StreamingRuntime(new RuntimeApi(fake.hostPort()),
                    URI.create("http://127.0.0.1:" + gateway.getLocalPort()), StreamLimits.from(k -> null), () -> { })) {
                Thread loop = new Thread(runtime::loop);
                loop.setDaemon(true);
                loop.start();
                String id = fake.enqueue(Events.functionUrl("POST", "/v1/chat/completions", CHAT), 60_000);
                FakeRuntimeApi.Post post = fake.await("/invocation/" + id + "/response", 10_000);
                assertEquals(200, Events.prelude(post.body()).path("statusCode").asInt());
                assertEquals("data: {\"n\":1}\n\ndata: {\"n\":2}\n\n", Events.afterPrelude(post.body()));
                assertEquals("Sluice.StreamInterrupted", post.trailers.get("lambda-runtime-function-error-type"), post.trailers.toString());
                JsonNode error = Events.json(new String(Base64.getDecoder()
                        .decode(post.trailers.get("lambda-runtime-function-error-body")), StandardCharsets.UTF_8));
                assertEquals("Sluice.StreamInterrupted", error.path("errorType").asText());
                assertTrue(error.path("errorMessage").asText().contains("mid-stream"), error.toString());
            }
        }
    }

    @Test
    void a_gateway_that_never_answers_gets_a_504_before_the_deadline() throws Exception {
        try (FakeRuntimeApi fake = new FakeRuntimeApi(); ServerSocket gateway = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             StreamingRuntime runtime = new StreamingRuntime(new RuntimeApi(fake.hostPort()),
                     URI.create("http://127.0.0.1:" + gateway.getLocalPort()), StreamLimits.from(k -> null), () -> { })) {
            Thread loop = new Thread(runtime::loop);
            loop.setDaemon(true);
            loop.start();
            long t0 = System.nanoTime();
            String id = fake.enqueue(Events.functionUrl("POST", "/v1/messages", CHAT), 2_500);
            FakeRuntimeApi.Post post = fake.await("/invocation/" + id + "/response", 10_000);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(504, Events.prelude(post.body()).path("statusCode").asInt());
            assertEquals("timeout_error", Events.json(Events.afterPrelude(post.body())).path("error").path("type").asText());
            assertTrue(ms < 2_500, "answered before the deadline: " + ms + " ms");
        }
    }

    @Test
    void a_gateway_that_cannot_be_reached_is_an_invocation_error() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (FakeRuntimeApi fake = new FakeRuntimeApi();
             StreamingRuntime runtime = new StreamingRuntime(new RuntimeApi(fake.hostPort()),
                     URI.create("http://127.0.0.1:" + closedPort), StreamLimits.from(k -> null), () -> { })) {
            Thread loop = new Thread(runtime::loop);
            loop.setDaemon(true);
            loop.start();
            String id = fake.enqueue(Events.functionUrl("POST", "/v1/chat/completions", CHAT), 60_000);
            FakeRuntimeApi.Post post = fake.await("/invocation/" + id + "/error", 10_000);
            assertEquals("Runtime.GatewayUnavailable", post.header("Lambda-Runtime-Function-Error-Type"));
        }
    }

    @Test
    void limits_read_their_variables_and_never_pass_the_deadline() {
        StreamLimits d = StreamLimits.from(k -> null);
        assertEquals(4096, d.maxTokens());
        assertEquals(28_000, d.streamBudget(30_000, 0).toMillis());
        StreamLimits s = StreamLimits.from(Map.of("LAMBDA_MAX_STREAM_S", "1.5", "LAMBDA_MAX_TOKENS", "64")::get);
        assertEquals(1_500, s.streamBudget(30_000, 0).toMillis());
        assertEquals(500, s.streamBudget(2_500, 0).toMillis());
        assertEquals(64, s.maxTokens());
        ObjectNode capped = (ObjectNode) Events.json("{\"max_completion_tokens\":9000,\"messages\":[]}");
        s.tokens().apply("POST", "/v1/chat/completions", capped);
        assertTrue(capped.toString().contains("\"max_completion_tokens\":64"), capped.toString());
        ObjectNode added = (ObjectNode) Events.json("{\"messages\":[]}");
        s.tokens().apply("POST", "/v1/chat/completions", added);
        assertTrue(added.toString().contains("\"max_tokens\":64"), added.toString());
        // issue 13: the cap's error event is the last thing an OpenAI stream carries, no [DONE] after it
        String capEvent = new String(StreamingRuntime.capEvent(ClientDialect.OPENAI,
                GatewayException.of(ErrorKind.TIMEOUT, "m")), StandardCharsets.UTF_8);
        assertTrue(capEvent.startsWith("data: {\"error\":") && capEvent.endsWith("\n\n"), capEvent);
        assertTrue(!capEvent.contains("[DONE]"), capEvent);
    }
}
