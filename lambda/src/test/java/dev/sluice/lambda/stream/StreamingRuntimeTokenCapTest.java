package dev.sluice.lambda.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LAMBDA_MAX_TOKENS in the streaming runtime: the same rule as the buffered handlers ({@code TokenCap}), against
 * issue 13's bypasses. The simulator generates exactly max_tokens tokens, instantly, so the usage shows the cap.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StreamingRuntimeTokenCapTest {
    private static final int CAP = 3;
    private FakeRuntimeApi fake;
    private StreamingRuntime runtime;

    @BeforeAll
    void start() throws Exception {
        fake = new FakeRuntimeApi();
        Map<String, String> env = Events.env("BACKEND_KIND", "sim", "API_KEYS", "k1", "SIM_TTFT_MS", "1",
                "SIM_TOKENS_PER_S", "0", "LAMBDA_MAX_TOKENS", Integer.toString(CAP), "LOG_LEVEL", "warn");
        runtime = StreamingRuntime.boot(new RuntimeApi(fake.hostPort()), env::get, StreamingRuntime.asProperties(env));
        assertNotNull(runtime, "the runtime booted");
        Thread loop = new Thread(runtime::loop, "lambda-loop");
        loop.setDaemon(true);
        loop.start();
    }

    @AfterAll
    void stop() throws Exception {
        runtime.close();
        fake.close();
    }

    private byte[] invoke(String path, String body, String... headers) throws InterruptedException {
        String id = fake.enqueue(Events.functionUrl("POST", path, body, headers), 60_000);
        return fake.await("/invocation/" + id + "/response", 20_000).body();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/chat/completions|\"max_tokens\":100000",
        "/v1/chat/completions/|\"max_tokens\":100000",
        "/v1/chat/completions|\"max_tokens\":1e6",
        "/v1/chat/completions|\"max_tokens\":1000000.0",
        "/v1/chat/completions|\"max_tokens\":\"1000000\"",
        "/v1/chat/completions/|\"max_completion_tokens\":\"1e6\"",
        "/v1/chat/completions|\"max_tokens\":null"})
    void a_large_limit_in_any_spelling_on_any_spelling_of_the_path_is_capped(String pathAndField) throws Exception {
        String[] pf = pathAndField.split("\\|");
        byte[] body = invoke(pf[0], "{\"model\":\"sim\"," + pf[1]
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "authorization", "Bearer k1");
        assertEquals(200, Events.prelude(body).path("statusCode").asInt(), Events.afterPrelude(body));
        JsonNode c = Events.json(Events.afterPrelude(body));
        assertEquals(CAP, c.at("/usage/completion_tokens").asInt(), c.toString());
    }

    @ParameterizedTest(name = "limit [{0}]")
    @ValueSource(strings = {"", "\"max_tokens\":1e6,", "\"max_tokens\":\"1000000\","})
    void an_anthropic_request_is_capped_too_even_without_max_tokens(String limit) throws Exception {
        byte[] body = invoke("/v1/messages/", "{\"model\":\"sim\"," + limit
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-api-key", "k1",
                "anthropic-version", "2023-06-01");
        assertEquals(200, Events.prelude(body).path("statusCode").asInt(), Events.afterPrelude(body));
        assertEquals(CAP, Events.json(Events.afterPrelude(body)).at("/usage/output_tokens").asInt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"lots\"", "-1", "true", "2.5"})
    void a_limit_that_is_not_a_number_of_tokens_is_a_400_in_the_callers_dialect(String value) throws Exception {
        byte[] o = invoke("/v1/chat/completions", "{\"model\":\"sim\",\"max_tokens\":" + value
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "authorization", "Bearer k1");
        JsonNode prelude = Events.prelude(o);
        assertEquals(400, prelude.path("statusCode").asInt());
        assertEquals("application/json", prelude.at("/headers/content-type").asText());
        JsonNode oe = Events.json(Events.afterPrelude(o));
        assertEquals("invalid_request_error", oe.at("/error/type").asText(), oe.toString());
        assertEquals("max_tokens", oe.at("/error/param").asText(), oe.toString());

        byte[] a = invoke("/v1/messages", "{\"model\":\"sim\",\"max_tokens\":" + value
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-api-key", "k1",
                "anthropic-version", "2023-06-01", "x-request-id", "req-7");
        assertEquals(400, Events.prelude(a).path("statusCode").asInt());
        JsonNode ae = Events.json(Events.afterPrelude(a));
        assertEquals("error", ae.path("type").asText(), ae.toString());
        assertEquals("invalid_request_error", ae.at("/error/type").asText(), ae.toString());
        assertEquals("req-7", ae.path("request_id").asText(), ae.toString());
        assertTrue(ae.at("/error/message").asText().startsWith("max_tokens must be"), ae.toString());
    }
}
