package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.AnthropicStreamInvariants;
import dev.sluice.testing.AnthropicStreamInvariants.Event;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.OpenAiChunks;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 12 over HTTP, one gateway in front of a fake of each runtime dialect (config file aliases): OpenAI's own
 * API behind Claude Code (defect 1), the cache pre-warm stream (defect 5), a BOM and empty {@code data:} events
 * in upstream streams (defect 7), runtime errors (defect 9), and the mappings agents rely on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalRuntimeMappingsTest {
    static final String[] ANTHROPIC = {"x-api-key", "k", "anthropic-version", "2023-06-01"};

    FakeRuntime vllm;
    FakeRuntime tgi;
    FakeRuntime ollama;
    FakeRuntime llamacpp;
    FakeRuntime openai;
    Gateway gateway;

    @BeforeAll
    void start() throws Exception {
        vllm = FakeRuntime.vllm();
        tgi = FakeRuntime.tgi();
        ollama = FakeRuntime.ollama();
        llamacpp = FakeRuntime.llamacpp();
        openai = FakeRuntime.vllm(); // stands in for api.openai.com: the body it receives is what is checked
        Path file = Files.createTempDirectory("sluice-local-mappings").resolve("sluice.yaml");
        Files.writeString(file, """
                model_list:
                  - model_name: qwen
                    params: {model: vllm/Qwen/Qwen3-8B, api_base: "%s"}
                  - model_name: llama
                    params: {model: tgi/meta-llama/Llama-3.1-8B-Instruct, api_base: "%s"}
                  - model_name: gemma
                    params: {model: ollama/gemma3, api_base: "%s"}
                  - model_name: local
                    params: {model: llamacpp/local, api_base: "%s"}
                  - model_name: gpt5
                    params: {model: openai/gpt-5-mini, api_base: "%s", api_key: sk-test}
                general_settings:
                  num_retries: 0
                """.formatted(vllm.baseUrl(), tgi.baseUrl(), ollama.baseUrl(), llamacpp.baseUrl(),
                openai.baseUrl()));
        gateway = Gateway.builder().env("sluice.config.file", file.toString()).start();
    }

    @AfterAll
    void stop() {
        gateway.close();
        for (FakeRuntime f : List.of(vllm, tgi, ollama, llamacpp, openai)) {
            f.close();
        }
    }

    @BeforeEach
    void reset() {
        for (FakeRuntime f : List.of(vllm, tgi, ollama, llamacpp, openai)) {
            f.reset();
        }
    }

    private static RecordedRequest onlyPost(FakeRuntime f) {
        List<RecordedRequest> posts = f.apiRequests().stream().filter(r -> r.method().equals("POST")).toList();
        assertThat(posts).hasSize(1);
        return posts.getFirst();
    }

    // --- defect 1 ---

    @Test
    void defect1_claudeCodeInFrontOfAnOpenAiReasoningModelSendsOnlyWhatOpenAiTakes() {
        openai.enqueue(Reply.json(OpenAiChunks.completion("Done.", "stop", 20, 3)));

        HttpResponse<String> r = gateway.post("/v1/messages", """
                {"model":"gpt5","max_tokens":32000,"temperature":1,"top_k":5,
                 "thinking":{"type":"enabled","budget_tokens":4000},
                 "stop_sequences":["a","b","c","d","e"],
                 "messages":[{"role":"user","content":"List the files."}]}""", ANTHROPIC);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode sent = onlyPost(openai).json();
        assertThat(sent.path("model").asText()).isEqualTo("gpt-5-mini");
        assertThat(sent.has("max_tokens")).isFalse();
        assertThat(sent.path("max_completion_tokens").asInt()).isEqualTo(32000);
        assertThat(sent.has("top_k")).isFalse();
        assertThat(sent.has("temperature")).isFalse();
        assertThat(sent.path("stop")).hasSize(4);
        assertThat(sent.path("reasoning_effort").asText()).isEqualTo("medium");
        assertThat(onlyPost(openai).header("authorization")).isEqualTo("Bearer sk-test");
    }

    // --- defect 5 ---

    @Test
    void defect5_maxTokensZeroWithStreamTrueStreams() {
        HttpResponse<String> r = gateway.post("/v1/messages", """
                {"model":"qwen","max_tokens":0,"stream":true,
                 "messages":[{"role":"user","content":"Warm the cache with this long prompt."}]}""", ANTHROPIC);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(ct ->
                assertThat(ct).startsWith("text/event-stream"));
        List<Event> events = AnthropicStreamInvariants.parse(r.body());
        AnthropicStreamInvariants.check(events);
        assertThat(events).extracting(Event::type).containsExactly("message_start", "message_delta", "message_stop");
        assertThat(events.get(0).data().at("/message/usage/input_tokens").asLong()).isPositive();
        assertThat(events.get(1).data().at("/delta/stop_reason").asText()).isEqualTo("max_tokens");
        assertThat(vllm.apiRequests().stream().filter(q -> q.method().equals("POST"))).isEmpty();
    }

    // --- defect 7, and empty data: events ---

    private static byte[] bom(String rest) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        b.writeBytes(rest.getBytes(StandardCharsets.UTF_8));
        return b.toByteArray();
    }

    @Test
    void defect7_aUtf8BomAtTheStartOfAnUpstreamStreamLosesNoEvent() {
        for (boolean anthropicClient : new boolean[] {false, true}) {
            vllm.enqueue(Reply.sse().raw(bom("data: " + OpenAiChunks.content("Hello") + "\n\n"))
                    .data(OpenAiChunks.content(" world")).data(OpenAiChunks.finish("stop")));
            HttpResponse<String> r = anthropicClient
                    ? gateway.post("/v1/messages", """
                            {"model":"qwen","max_tokens":10,"stream":true,
                             "messages":[{"role":"user","content":"hi"}]}""", ANTHROPIC)
                    : gateway.post("/v1/chat/completions", """
                            {"model":"qwen","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).as("anthropic client: %s", anthropicClient).contains("Hello").contains(" world");
            if (anthropicClient) {
                AnthropicStreamInvariants.check(AnthropicStreamInvariants.parse(r.body()));
            } else {
                assertThat(r.body()).doesNotContain("\uFEFF").endsWith("data: [DONE]\n\n");
            }
        }
    }

    @Test
    void anEmptyDataEventDoesNotKillTheStream() {
        for (boolean anthropicClient : new boolean[] {false, true}) {
            vllm.enqueue(Reply.sse().data(OpenAiChunks.content("Hello")).raw("data:\n\n").raw("data: \n\n")
                    .data(OpenAiChunks.content(" world")).data(OpenAiChunks.finish("stop")));
            HttpResponse<String> r = anthropicClient
                    ? gateway.post("/v1/messages", """
                            {"model":"qwen","max_tokens":10,"stream":true,
                             "messages":[{"role":"user","content":"hi"}]}""", ANTHROPIC)
                    : gateway.post("/v1/chat/completions", """
                            {"model":"qwen","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
            assertThat(r.body()).as("anthropic client: %s", anthropicClient).contains(" world")
                    .doesNotContain("error").doesNotContain("data:\n\n").doesNotContain("data: \n\n");
            if (anthropicClient) {
                AnthropicStreamInvariants.check(AnthropicStreamInvariants.parse(r.body()));
            } else {
                assertThat(r.body()).endsWith("data: [DONE]\n\n");
            }
        }
    }

    @Test
    void aWholeToolCallInOneEventLargerThanOneMebibyteGetsThrough() {
        String big = "x".repeat(2 * 1024 * 1024);
        ollama.enqueue(Reply.sse().data(OpenAiChunks.toolCall(0, "call_1", "write_file",
                "{\"content\":\"" + big + "\"}")).data(OpenAiChunks.finish("tool_calls")));

        HttpResponse<String> r = gateway.post("/v1/chat/completions", """
                {"model":"gemma","stream":true,"messages":[{"role":"user","content":"write it"}]}""");

        assertThat(r.body()).contains(big).endsWith("data: [DONE]\n\n");
    }

    // --- defect 9 ---

    @Test
    void defect9_aRuntimes501IsNotRetriedBySdks() {
        llamacpp.enqueue(Reply.json(501, """
                {"error":{"code":501,"message":"This server does not support embeddings. Start it with\
                 `--embeddings`","type":"not_supported_error"}}"""));

        HttpResponse<String> r = gateway.post("/v1/embeddings", "{\"model\":\"local\",\"input\":\"hi\"}");

        assertThat(r.statusCode()).isEqualTo(501);
        assertThat(Gateway.json(r).at("/error/type").asText()).isEqualTo("not_supported_error");
        assertThat(r.headers().firstValue("x-should-retry")).contains("false");
    }

    @Test
    void defect9_tgisOverloaded429IsAnOverloadedError529() {
        tgi.enqueue(Reply.json(429, "{\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}"));

        HttpResponse<String> r = gateway.post("/v1/messages", """
                {"model":"llama","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", ANTHROPIC);

        assertThat(r.statusCode()).isEqualTo(529);
        assertThat(Gateway.json(r).at("/error/type").asText()).isEqualTo("overloaded_error");
        assertThat(r.headers().firstValue("retry-after")).isPresent();
        assertThat(r.headers().firstValue("x-should-retry")).contains("true");
    }

    @Test
    void defect9_a500ThatMentionsTheContextLengthStaysARetryableServerError() {
        vllm.enqueue(Reply.json(500, """
                {"error":{"message":"Internal error while computing the context length of the batch",\
                "type":"InternalServerError","param":null,"code":500}}"""));

        HttpResponse<String> r = gateway.post("/v1/chat/completions", """
                {"model":"qwen","messages":[{"role":"user","content":"hi"}]}""");

        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(Gateway.json(r).at("/error/type").asText()).isEqualTo("server_error");
        assertThat(r.headers().firstValue("x-should-retry")).contains("true");
    }

    @Test
    void defect9_theUpstreamParamReachesTheClient() {
        vllm.enqueue(Reply.json(400, """
                {"error":{"message":"temperature must be non-negative","type":"BadRequestError",\
                "param":"temperature","code":400}}"""));

        HttpResponse<String> r = gateway.post("/v1/chat/completions", """
                {"model":"qwen","temperature":-1,"messages":[{"role":"user","content":"hi"}]}""");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Gateway.json(r).at("/error/param").asText()).isEqualTo("temperature");
    }

    // --- mappings ---

    @Test
    void serverToolsTowardALocalRuntimeAreNamedInAResponseHeader() {
        vllm.enqueue(Reply.json(OpenAiChunks.completion("No web here.", "stop", 20, 3)));

        HttpResponse<String> r = gateway.post("/v1/messages", """
                {"model":"qwen","max_tokens":10,"messages":[{"role":"user","content":"news?"}],
                 "tools":[{"type":"web_search_20250305","name":"web_search","max_uses":3}]}""", ANTHROPIC);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-sluice-dropped-tools")).contains("web_search_20250305");
        assertThat(onlyPost(vllm).json().has("tools")).isFalse();
    }

    @Test
    void ollamaWithToolChoiceNoneOnTheOpenAiPathGetsNoTools() {
        ollama.enqueue(Reply.json(OpenAiChunks.completion("Just text.", "stop", 20, 3)));

        HttpResponse<String> r = gateway.post("/v1/chat/completions", """
                {"model":"gemma","tool_choice":"none","messages":[{"role":"user","content":"weather?"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}""");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode sent = onlyPost(ollama).json();
        assertThat(sent.has("tools")).isFalse();
        assertThat(sent.has("tool_choice")).isFalse();
    }

    @Test
    void aPrefillIsContinuedOnVllm() {
        vllm.enqueue(Reply.json(OpenAiChunks.completion("blue\"}", "stop", 20, 3)));

        HttpResponse<String> r = gateway.post("/v1/messages", """
                {"model":"qwen","max_tokens":10,"messages":[{"role":"user","content":"A colour as JSON."},
                 {"role":"assistant","content":"{\\"colour\\": \\""}]}""", ANTHROPIC);

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode sent = onlyPost(vllm).json();
        assertThat(sent.path("continue_final_message").asBoolean()).isTrue();
        assertThat(sent.path("add_generation_prompt").asBoolean(true)).isFalse();
        assertThat(Gateway.json(r).at("/content/0/text").asText()).isEqualTo("blue\"}");
    }
}
