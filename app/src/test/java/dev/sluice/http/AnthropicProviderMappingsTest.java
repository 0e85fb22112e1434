package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.protocol.Json;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code anthropic} provider against a fake Anthropic API (issue 12): count_tokens forwarded (defect 6), the
 * API's error types, request-id and retry advice kept (defect 9), and what OpenAI clients' fields map to.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnthropicProviderMappingsTest {
    static final String UPSTREAM_MODEL = "claude-sonnet-4-5";
    static final String[] ANTHROPIC = {"x-api-key", "client-key", "anthropic-version", "2023-06-01"};

    FakeRuntime anthropic;
    Gateway gateway;

    @BeforeAll
    void start() throws Exception {
        anthropic = FakeRuntime.vllm(); // every reply below is scripted in Anthropic's shapes
        Path file = Files.createTempDirectory("sluice-anthropic-mappings").resolve("sluice.yaml");
        Files.writeString(file, """
                model_list:
                  - model_name: claude
                    params:
                      model: anthropic/%s
                      api_base: http://127.0.0.1:%d
                      api_key: test-key
                general_settings:
                  num_retries: 2
                  retry_backoff_base: 0.001
                  retry_backoff_max: 0.01
                """.formatted(UPSTREAM_MODEL, anthropic.port()));
        gateway = Gateway.builder().env("sluice.config.file", file.toString()).start();
    }

    @AfterAll
    void stop() {
        gateway.close();
        anthropic.close();
    }

    @BeforeEach
    void reset() {
        anthropic.reset();
    }

    private List<RecordedRequest> posts() {
        return anthropic.apiRequests().stream().filter(r -> r.method().equals("POST")).toList();
    }

    // --- defect 6 ---

    @Test
    void defect6_countTokensForAnAnthropicDeploymentIsAnthropicsOwnExactCount() {
        anthropic.enqueue("/v1/messages/count_tokens", Reply.json("{\"input_tokens\":2095}"));
        String body = """
                {"model":"claude","messages":[{"role":"user","content":[
                  {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"}},
                  {"type":"text","text":"Summarise."}]}],
                 "tools":[{"type":"web_search_20250305","name":"web_search"}]}""";

        HttpResponse<String> r = gateway.post("/v1/messages/count_tokens?beta=true", body, "x-api-key",
                "client-key", "anthropic-version", "2023-06-01", "anthropic-beta", "token-counting-2024-11-01");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Gateway.json(r).path("input_tokens").asLong()).isEqualTo(2095);
        assertThat(r.headers().firstValue("x-sluice-token-count")).contains("exact");
        RecordedRequest sent = posts().getFirst();
        assertThat(sent.path()).isEqualTo("/v1/messages/count_tokens");
        assertThat(sent.header("x-api-key")).isEqualTo("test-key");
        assertThat(sent.header("anthropic-beta")).isEqualTo("token-counting-2024-11-01");
        JsonNode expected = Json.tryParse(body);
        ((com.fasterxml.jackson.databind.node.ObjectNode) expected).put("model", UPSTREAM_MODEL);
        assertThat(sent.json()).isEqualTo(expected);
    }

    // --- defect 9 ---

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "413, request_too_large, Request exceeds the maximum allowed number of bytes., false",
            "402, billing_error, Your credit balance is too low., false",
            "403, permission_error, Your API key does not have permission to use the specified resource., false",
            "409, invalid_request_error, Conflict., true"})
    void defect9_anthropicErrorsReachAnthropicClientsWithTheirOwnTypeStatusAndRequestId(int status, String type,
            String message, boolean retried) {
        String error = "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message
                + "\"},\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}";
        for (int i = 0; i < 3; i++) {
            anthropic.enqueue(Reply.json(status, error).header("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy")
                    .header("x-should-retry", Boolean.toString(retried)));
        }

        HttpResponse<String> r = gateway.post("/v1/messages", """
                {"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", ANTHROPIC);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(Gateway.json(r).at("/error/type").asText()).isEqualTo(type);
        assertThat(Gateway.json(r).at("/error/message").asText()).isEqualTo(message);
        assertThat(r.headers().firstValue("request-id")).contains("req_011CSHoEeqs5C35K2UUqR7Fy");
        assertThat(r.headers().allValues("x-should-retry")).containsExactly(Boolean.toString(retried));
        assertThat(posts()).as("attempts").hasSize(retried ? 3 : 1);
    }

    @Test
    void defect9_afterRetriesTheLastAttemptsTypeAndMessageReachTheClientWithTheAttemptsInAHeader() {
        String overloaded = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}";
        String tooLong = "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                + "\"message\":\"prompt is too long: 215692 tokens > 200000 maximum\"}}";
        anthropic.enqueue(Reply.json(529, overloaded));
        anthropic.enqueue(Reply.json(400, tooLong));

        HttpResponse<String> r = gateway.post("/v1/messages", """
                {"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", ANTHROPIC);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Gateway.json(r).at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(Gateway.json(r).at("/error/message").asText())
                .isEqualTo("prompt is too long: 215692 tokens > 200000 maximum");
        assertThat(r.headers().firstValue("x-sluice-attempts")).hasValueSatisfying(v ->
                assertThat(v).isEqualTo("claude#1=503,claude#1=400"));
        assertThat(r.headers().firstValue("x-should-retry")).contains("false");
    }

    // --- OpenAI clients' fields toward Claude ---

    @Test
    void reasoningEffortBecomesThinkingWithABudget() {
        anthropic.enqueue(Reply.fixture("anthropic/messages-text.json"));

        HttpResponse<String> r = gateway.post("/v1/chat/completions", """
                {"model":"claude","reasoning_effort":"high","max_completion_tokens":2000,"temperature":0.2,
                 "messages":[{"role":"user","content":"Prove it."}]}""");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode sent = posts().getFirst().json();
        assertThat(sent.path("thinking")).isEqualTo(Json.tryParse("{\"type\":\"enabled\",\"budget_tokens\":16384}"));
        assertThat(sent.path("max_tokens").asInt()).as("above the budget, with the room the client asked for")
                .isEqualTo(18384);
        assertThat(sent.has("temperature")).as("thinking takes only the default temperature").isFalse();
    }

    @Test
    void jsonObjectResponseFormatBecomesASystemInstructionNotSilence() {
        anthropic.enqueue(Reply.fixture("anthropic/messages-text.json"));

        gateway.post("/v1/chat/completions", """
                {"model":"claude","response_format":{"type":"json_object"},
                 "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Two numbers."}]}""");

        JsonNode sent = posts().getFirst().json();
        assertThat(sent.path("system").asText()).startsWith("Be brief.").contains("JSON object");
        assertThat(sent.has("response_format")).isFalse();
    }

    @Test
    void logprobsTowardClaudeIsAClear400() {
        HttpResponse<String> r = gateway.post("/v1/chat/completions", """
                {"model":"claude","logprobs":true,"top_logprobs":2,
                 "messages":[{"role":"user","content":"hi"}]}""");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Gateway.json(r).at("/error/param").asText()).isEqualTo("logprobs");
        assertThat(Gateway.json(r).at("/error/message").asText()).contains("logprobs is not supported");
        assertThat(posts()).isEmpty();
    }
}
