package dev.sluice.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.ConfigException;
import dev.sluice.config.GatewayConfig;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.ClientDialect;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What only Lambda mode does: the max_tokens cap, the 25 s default timeout, the init check, the 6 MB guard. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LambdaModeTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private ApiGatewayV2Handler handler;

    @BeforeAll
    void start() {
        Map<String, String> env = new HashMap<>(Map.of("BACKEND_KIND", "sim", "API_KEYS", "k",
                "SIM_TTFT_MS", "1", "SIM_TOKENS_PER_S", "0", "LAMBDA_MAX_TOKENS", "3", "LOG_JSON", "false"));
        env.put("SIM_EMBEDDING_DIM", "8192");
        env.put("RATE_LIMIT_ENABLED", "true");
        env.put("RATE_LIMIT_RPM", "100000");
        handler = new ApiGatewayV2Handler(LambdaServers.gateway(env));
    }

    @AfterAll
    void stop() {
        handler.close();
    }

    @Test
    void maxTokensAboveTheCapIsCapped() throws Exception {
        JsonNode c = chat("{\"model\":\"sim\",\"max_tokens\":100000,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", false);
        assertEquals(3, c.at("/usage/completion_tokens").asInt(), c.toString());
        assertEquals("length", c.at("/choices/0/finish_reason").asText());
    }

    @Test
    void anOpenAiRequestWithoutMaxTokensGetsTheCap() throws Exception {
        JsonNode c = chat("{\"model\":\"sim\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", false);
        assertEquals(3, c.at("/usage/completion_tokens").asInt(), c.toString());
    }

    @Test
    void aBase64BodyIsDecodedAndCapped() throws Exception {
        JsonNode c = chat("{\"model\":\"sim\",\"max_completion_tokens\":50,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", true);
        assertEquals(3, c.at("/usage/completion_tokens").asInt(), c.toString());
    }

    @Test
    void requestTimeoutDefaultsTo25sInLambda() {
        GatewayConfig config = handler.gateway().context().getBean(GatewayConfig.class);
        assertEquals(Duration.ofSeconds(LambdaGateway.DEFAULT_REQUEST_TIMEOUT_S), config.requestTimeout());
    }

    @Test
    void aBadVariableFailsInitNamingIt() {
        ConfigException e = assertThrows(ConfigException.class, () -> LambdaGateway.start(
                Map.of("BACKEND_KIND", "sim", "REQUEST_TIMEOUT_S", "soon", "LAMBDA_MAX_TOKENS", "lots")::get,
                Map.of()));
        assertTrue(e.getMessage().contains("REQUEST_TIMEOUT_S"), e.getMessage());
        assertTrue(e.getMessage().contains("LAMBDA_MAX_TOKENS"), e.getMessage());
    }

    @Test
    void aBadConfigFileFailsInitNamingTheProblem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("sluice.yaml");
        java.nio.file.Files.writeString(file, "model_list:\n  - model_name: a\n    litellm_params: {model: x}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> LambdaGateway.start(
                Map.of("BACKEND_KIND", "sim", "SLUICE_CONFIG", file.toString())::get, Map.of()));
        assertTrue(e.getMessage().contains("sluice.yaml") || e.getMessage().contains("model_list"), e.getMessage());
    }

    @Test
    void aResponseOverSixMegabytesIsA502WithAMessage() throws Exception {
        GatewayException big = LambdaLimits.tooLarge(7_000_000);
        assertEquals(502, big.status());
        JsonNode e = MAPPER.readTree(ClientDialect.of("/v1/chat/completions", false).body(big, null));
        assertEquals("response_too_large", e.at("/error/code").asText());
        assertTrue(e.at("/error/message").asText().contains("6 MB"));
        assertEquals(7_000_000, LambdaLimits.encodedSize("x".repeat(7_000_000)));
        JsonNode a = MAPPER.readTree(ClientDialect.of("/v1/messages", false).body(big, null));
        assertEquals("error", a.path("type").asText());
    }

    @Test
    void embeddingsOverSixMegabytesAreA502NotALambdaError() throws Exception {
        StringBuilder inputs = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            inputs.append(i == 0 ? "" : ",").append("\"text ").append(i).append('"');
        }
        APIGatewayV2HTTPResponse r = handler.handleRequest(Events.v2("POST", "/v1/embeddings",
                Map.of("authorization", "Bearer k", "content-type", "application/json"),
                "{\"model\":\"sim\",\"input\":[" + inputs + "]}"), new TestContext());
        assertEquals(502, r.getStatusCode());
        JsonNode e = MAPPER.readTree(r.getBody());
        assertEquals("response_too_large", e.at("/error/code").asText(), r.getBody());
        assertTrue(e.at("/error/message").asText().contains("6 MB"), r.getBody());
    }

    @Test
    void theGatewaysRequestIdIsLambdasUnlessTheCallerSentOne() {
        TestContext context = new TestContext();
        APIGatewayV2HTTPResponse r = handler.handleRequest(Events.v2("GET", "/livez", Map.of(), null), context);
        assertEquals(context.getAwsRequestId(), LambdaServers.headers(r.getHeaders(), r.getMultiValueHeaders())
                .get("x-request-id"));
        r = handler.handleRequest(Events.v2("GET", "/livez", Map.of("X-Request-Id", "mine-1"), null), context);
        assertEquals("mine-1", LambdaServers.headers(r.getHeaders(), r.getMultiValueHeaders()).get("x-request-id"));
    }

    private JsonNode chat(String body, boolean base64) throws Exception {
        APIGatewayV2HTTPEvent event = Events.v2("POST", "/v1/chat/completions",
                Map.of("authorization", "Bearer k", "content-type", "application/json"), body);
        if (base64) {
            event.setBody(Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)));
            event.setIsBase64Encoded(true);
        }
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, new TestContext());
        String out = LambdaServers.body(r.getBody(), r.getIsBase64Encoded());
        assertEquals(200, r.getStatusCode(), out);
        return MAPPER.readTree(out);
    }
}
