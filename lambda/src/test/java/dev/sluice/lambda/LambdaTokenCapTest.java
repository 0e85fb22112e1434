package dev.sluice.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.lambda.contract.ServerUnderTest;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LAMBDA_MAX_TOKENS on both buffered handlers, against issue 13's bypasses: a trailing slash, a float, a string,
 * no limit at all on /v1/messages. The simulator generates exactly max_tokens tokens, so the usage shows the cap.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LambdaTokenCapTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int CAP = 3;

    /** Payload 1.0 (REST API). One handler at a time: two live handler contexts in one JVM break the api-proxy. */
    @Nested
    class V1 extends Cases {
        @Override
        ServerUnderTest start(Map<String, String> env) {
            return new LambdaServers.V1(env);
        }
    }

    /** Payload 2.0 (HTTP API, Function URL). */
    @Nested
    class V2 extends Cases {
        @Override
        ServerUnderTest start(Map<String, String> env) {
            return new LambdaServers.V2(env);
        }
    }

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class Cases {
        private ServerUnderTest s;

        abstract ServerUnderTest start(Map<String, String> env);

        @BeforeAll
        void startHandler() {
            s = start(new HashMap<>(Map.of("BACKEND_KIND", "sim", "API_KEYS", "k", "SIM_TTFT_MS", "1",
                    "SIM_TOKENS_PER_S", "0", "LAMBDA_MAX_TOKENS", Integer.toString(CAP), "LOG_JSON", "false")));
        }

        @AfterAll
        void stopHandler() {
            s.close();
        }

        static Stream<Arguments> bypasses() {
            return Stream.of("\"max_tokens\":100000", "\"max_tokens\":1e6", "\"max_tokens\":1000000.0",
                    "\"max_tokens\":\"1000000\"", "\"max_completion_tokens\":1e6", "\"max_completion_tokens\":\"1e6\"")
                    .flatMap(f -> Stream.of("/v1/chat/completions", "/v1/chat/completions/")
                            .map(p -> Arguments.of(p, f)));
        }

        private ServerUnderTest.Response openAi(String path, String body) {
            return s.send("POST", path, Map.of("authorization", "Bearer k", "content-type", "application/json"), body);
        }

        private ServerUnderTest.Response anthropic(String path, String body) {
            return s.send("POST", path, Map.of("x-api-key", "k", "anthropic-version", "2023-06-01",
                    "content-type", "application/json"), body);
        }

        @ParameterizedTest(name = "{0} {1}")
        @MethodSource("bypasses")
        void a_large_limit_in_any_spelling_on_any_spelling_of_the_path_is_capped(String path, String field)
                throws Exception {
            var r = openAi(path, "{\"model\":\"sim\"," + field
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
            assertEquals(200, r.status(), r.body());
            JsonNode c = MAPPER.readTree(r.body());
            assertEquals(CAP, c.at("/usage/completion_tokens").asInt(), r.body());
        }

        @ParameterizedTest(name = "limit [{0}]")
        @ValueSource(strings = {"", "\"max_tokens\":1e6,", "\"max_tokens\":\"1000000\","})
        void an_anthropic_request_is_capped_too_even_without_max_tokens(String limit) throws Exception {
            var r = anthropic("/v1/messages/", "{\"model\":\"sim\"," + limit
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
            assertEquals(200, r.status(), r.body());
            assertEquals(CAP, MAPPER.readTree(r.body()).at("/usage/output_tokens").asInt(), r.body());
        }

        @Test
        void a_limit_that_is_not_a_number_of_tokens_is_a_400_in_the_callers_dialect() throws Exception {
            for (String value : new String[] {"\"lots\"", "-1", "true", "2.5"}) {
                var o = openAi("/v1/chat/completions", "{\"model\":\"sim\",\"max_tokens\":" + value
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
                assertEquals(400, o.status(), o.body());
                JsonNode oe = MAPPER.readTree(o.body());
                assertEquals("invalid_request_error", oe.at("/error/type").asText(), o.body());
                assertEquals("max_tokens", oe.at("/error/param").asText(), o.body());
                assertTrue(o.header("content-type").startsWith("application/json"), o.header("content-type"));
                assertTrue(o.header("x-request-id") != null, "the error names the request: " + o.headers());

                var a = anthropic("/v1/messages", "{\"model\":\"sim\",\"max_tokens\":" + value
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
                assertEquals(400, a.status(), a.body());
                JsonNode ae = MAPPER.readTree(a.body());
                assertEquals("error", ae.path("type").asText(), a.body());
                assertEquals("invalid_request_error", ae.at("/error/type").asText(), a.body());
                assertTrue(ae.at("/error/message").asText().startsWith("max_tokens must be"), a.body());
                assertEquals(a.header("x-request-id"), ae.path("request_id").asText(), a.body());
            }
            // the Responses API's field is checked before the gateway sees the request
            var r = openAi("/v1/responses", "{\"model\":\"sim\",\"input\":\"Hi\",\"max_output_tokens\":\"lots\"}");
            assertEquals(400, r.status(), r.body());
            assertEquals("max_output_tokens", MAPPER.readTree(r.body()).at("/error/param").asText(), r.body());
        }
    }
}
