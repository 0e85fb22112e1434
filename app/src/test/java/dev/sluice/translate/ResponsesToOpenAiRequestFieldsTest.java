package dev.sluice.translate;

import static dev.sluice.translate.ResponsesToOpenAiRequestTest.json;
import static dev.sluice.translate.ResponsesToOpenAiRequestTest.translate;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Responses top-level fields → chat, and what the Response echoes (responses-api.md §2.1, §3). */
class ResponsesToOpenAiRequestFieldsTest {

    private static JsonNode chat(String fields, ResponsesOptions options) {
        return translate("{\"model\":\"m\",\"input\":\"q\"" + (fields.isEmpty() ? "" : "," + fields) + "}", options, null)
                .chat();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"MAX_TOKENS | max_tokens", "MAX_COMPLETION_TOKENS | max_completion_tokens"})
    void maxOutputTokensGoesToTheFieldTheRuntimeReads(ResponsesOptions.MaxTokensField field, String name) {
        ResponsesOptions options = new ResponsesOptions(false, field, true, true, true, false, false, false, false, true);
        JsonNode chat = chat("\"max_output_tokens\":512", options);
        assertThat(chat.get(name).asLong()).isEqualTo(512);
        assertThat(chat.has("max_output_tokens")).isFalse();
        assertThat(chat.has(field == ResponsesOptions.MaxTokensField.MAX_TOKENS ? "max_completion_tokens" : "max_tokens"))
                .isFalse();
    }

    @Test
    void samplingParametersAreCopied() {
        JsonNode chat = chat("\"temperature\":0.2,\"top_p\":0.9", ResponsesOptions.local());
        assertThat(chat.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(chat.get("top_p").asDouble()).isEqualTo(0.9);
    }

    @Test
    void aJsonSchemaFormatIsNestedUnderJsonSchemaAsChatWantsIt() {
        assertThat(chat("""
                "text":{"format":{"type":"json_schema","name":"o","description":"d","strict":true,
                 "schema":{"type":"object","properties":{"a":{"type":"string"}}}},"verbosity":"low"}""",
                ResponsesOptions.local()).get("response_format")).isEqualTo(json("""
                {"type":"json_schema","json_schema":{"name":"o","description":"d",
                 "schema":{"type":"object","properties":{"a":{"type":"string"}}},"strict":true}}"""));
        assertThat(chat("\"text\":{\"format\":{\"type\":\"json_object\"}}", ResponsesOptions.local())
                .get("response_format")).isEqualTo(json("{\"type\":\"json_object\"}"));
        assertThat(chat("\"text\":{\"format\":{\"type\":\"text\"}}", ResponsesOptions.local()).has("response_format"))
                .isFalse();
    }

    @Test
    void reasoningEffortIsSentOnlyToRuntimesThatTakeIt() {
        String fields = "\"reasoning\":{\"effort\":\"low\",\"summary\":\"auto\"}";
        assertThat(chat(fields, ResponsesOptions.local()).get("reasoning_effort").asText()).isEqualTo("low");
        ResponsesOptions noEffort = new ResponsesOptions(false, ResponsesOptions.MaxTokensField.MAX_TOKENS, false, true,
                true, false, false, false, false, true);
        assertThat(chat(fields, noEffort).has("reasoning_effort")).isFalse();
        assertThat(chat(fields, noEffort).has("reasoning")).isFalse();
    }

    @Test
    void aStreamAlwaysAsksForUsageAndAWholeResponseNever() {
        assertThat(chat("\"stream\":true", ResponsesOptions.local())).isEqualTo(json("""
                {"model":"served-model","messages":[{"role":"user","content":"q"}],"stream":true,
                 "stream_options":{"include_usage":true}}"""));
        JsonNode whole = chat("\"stream\":false", ResponsesOptions.local());
        assertThat(whole.has("stream")).isFalse();
        assertThat(whole.has("stream_options")).as("vLLM refuses stream_options without stream").isFalse();
    }

    @Test
    void userSafetyIdentifierAndPromptCacheKeyReachOnlyOpenAiButTheCacheKeyIsKeptForRouting() {
        String fields = "\"user\":\"u1\",\"safety_identifier\":\"s1\",\"prompt_cache_key\":\"thread-1\"";
        JsonNode local = chat(fields, ResponsesOptions.local());
        assertThat(local.has("user")).isFalse();
        assertThat(local.has("safety_identifier")).isFalse();
        assertThat(local.has("prompt_cache_key")).isFalse();
        JsonNode openAi = chat(fields, ResponsesOptions.openAi());
        assertThat(openAi.get("user").asText()).isEqualTo("u1");
        assertThat(openAi.get("safety_identifier").asText()).isEqualTo("s1");
        assertThat(openAi.get("prompt_cache_key").asText()).isEqualTo("thread-1");
        assertThat(translate("{\"model\":\"m\",\"input\":\"q\"," + fields + "}").promptCacheKey()).isEqualTo("thread-1");
    }

    @Test
    void fieldsWithoutAChatMeaningAndUnknownFieldsAreNotForwarded() {
        JsonNode chat = chat("""
                "metadata":{"k":"v"},"store":true,"include":["reasoning.encrypted_content"],"truncation":"auto",
                "service_tier":"flex","top_logprobs":3,"max_tool_calls":4,"client_metadata":{"session_id":"s"},
                "n":3,"seed":7,"stop":["x"],"stream_options":{"include_obfuscation":true}""", ResponsesOptions.openAi());
        assertThat(List.of(chat.fieldNames().next(), chat.size())).containsExactly("model", 2);
    }

    @Test
    void theResponseEchoesTheRequestOrTheApiDefaultsAndNeverClaimsToStore() {
        ResponsesRequest r = translate("""
                {"model":"qwen","input":"q","instructions":"S","store":true,"metadata":{"k":"v"},"temperature":0.5,
                 "tools":[{"type":"web_search"}],"reasoning":{"summary":"auto"},"truncation":"auto",
                 "text":{"verbosity":"low"},"max_output_tokens":100,"previous_response_id":null}""");
        assertThat(r.clientModel()).isEqualTo("qwen");
        assertThat(r.reasoningSummary()).isTrue();
        assertThat(r.echo()).isEqualTo(json("""
                {"background":false,"instructions":"S","max_output_tokens":100,"max_tool_calls":null,
                 "metadata":{"k":"v"},"model":"qwen","parallel_tool_calls":true,"previous_response_id":null,
                 "prompt_cache_key":null,"reasoning":{"effort":null,"summary":"auto"},"safety_identifier":null,
                 "service_tier":"default","store":false,"temperature":0.5,
                 "text":{"format":{"type":"text"},"verbosity":"low"},"tool_choice":"auto",
                 "tools":[{"type":"web_search"}],"top_logprobs":null,"top_p":null,"truncation":"auto","user":null}"""));
    }

    @Test
    void rawReasoningIsTheDefaultWhenNoSummaryIsAskedFor() {
        assertThat(translate("{\"model\":\"m\",\"input\":\"q\",\"reasoning\":{\"effort\":\"high\"}}").reasoningSummary())
                .isFalse();
        assertThat(translate("{\"model\":\"m\",\"input\":\"q\",\"reasoning\":{\"generate_summary\":\"concise\"}}")
                .reasoningSummary()).isTrue();
    }

    @Test
    void thePromptEstimateGrowsWithTheInputAndIsNeverZero() {
        long small = translate("{\"model\":\"m\",\"input\":\"q\"}").estimatedInputTokens();
        long big = translate("{\"model\":\"m\",\"input\":\"" + "word ".repeat(400) + "\"}").estimatedInputTokens();
        assertThat(small).isPositive();
        assertThat(big).isGreaterThan(small + 400);
    }
}
