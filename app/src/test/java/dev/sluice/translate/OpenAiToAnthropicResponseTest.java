package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.BackendKind;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A complete OpenAI chat response → an Anthropic Message (protocols.md §3.2, §3.5, §3.6), with recorded runtime
 * bodies where one exists. Tests named {@code edgeNN_…} are rows of protocols.md §5.
 */
class OpenAiToAnthropicResponseTest {
    private static final String QUESTION = """
            {"model":"claude-sonnet-4-5","max_tokens":100,"messages":[{"role":"user","content":"Weather in Paris?"}]}""";

    private static ObjectNode translate(String openAiBody, AnthropicRequest request) {
        return OpenAiToAnthropicResponse.translate(openAiBody.getBytes(StandardCharsets.UTF_8), request);
    }

    private static ObjectNode translate(String openAiBody) {
        return translate(openAiBody, AnthropicToOpenAiRequestTest.translate(QUESTION));
    }

    private static ObjectNode fixture(String name) {
        return OpenAiToAnthropicResponse.translate(Fixtures.bytes(name), AnthropicToOpenAiRequestTest.translate(QUESTION));
    }

    /** An OpenAI chat response with one choice. */
    private static String chat(String message, String finish, String choiceExtra, String usage) {
        return """
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"upstream",
                 "choices":[{"index":0,"message":%s,"finish_reason":%s%s}]%s}"""
                .formatted(message, finish == null ? "null" : "\"" + finish + "\"",
                        choiceExtra.isEmpty() ? "" : "," + choiceExtra, usage.isEmpty() ? "" : ",\"usage\":" + usage);
    }

    private static String text(String content) {
        return "{\"role\":\"assistant\",\"content\":" + Json.string(Json.NODES.textNode(content)) + "}";
    }

    @Test
    void textResponseHasTheAnthropicMessageShape() {
        ObjectNode m = fixture("openai/chat-basic.json");
        assertThat(m.path("id").asText()).matches("msg_[0-9A-Za-z]{24}");
        assertThat(m.path("type").asText()).isEqualTo("message");
        assertThat(m.path("role").asText()).isEqualTo("assistant");
        assertThat(m.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(m.path("content")).hasSize(1);
        assertThat(m.path("content").get(0).path("type").asText()).isEqualTo("text");
        assertThat(m.path("content").get(0).path("text").asText()).isNotBlank();
        assertThat(m.path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(m.path("stop_sequence").isNull()).isTrue();
        JsonNode raw = Json.tryParse(Fixtures.bytes("openai/chat-basic.json"));
        assertThat(m.path("usage").path("output_tokens").asLong())
                .isEqualTo(raw.path("usage").path("completion_tokens").asLong());
    }

    @Test
    void edge14_finishStopWithAToolCallIsToolUse() {
        // TGI answers a forced tool call with finish_reason "stop" (tgi/chat-tool-call.json)
        ObjectNode m = fixture("tgi/chat-tool-call.json");
        assertThat(m.path("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(m.path("content")).hasSize(1);
        assertThat(m.path("content").get(0).path("type").asText()).isEqualTo("tool_use");
    }

    @Test
    void edge15_finishToolCallsWithoutAnyToolCallIsEndTurn() {
        ObjectNode m = translate(chat("{\"role\":\"assistant\",\"content\":\"No tool needed.\",\"tool_calls\":[]}",
                "tool_calls", "", ""));
        assertThat(m.path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(m.path("content")).hasSize(1);
    }

    @Test
    void edge16_finishLengthIsMaxTokensEvenWithAHalfWrittenToolCall() {
        assertThat(fixture("tgi/chat-finish-length.json").path("stop_reason").asText()).isEqualTo("max_tokens");
        ObjectNode m = translate(chat("""
                {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                 "function":{"name":"get_weather","arguments":"{\\"city\\": \\"Par"}}]}""", "length", "", ""));
        assertThat(m.path("stop_reason").asText()).isEqualTo("max_tokens");
        assertThat(m.path("content").get(0).path("input")).as("invalid JSON arguments become {}")
                .isEqualTo(Json.object());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            vLLM stop_reason string          | stop          | "stop_reason":"END"   | stop_sequence | END
            vLLM stop_reason token id        | stop          | "stop_reason":151645  | end_turn      |
            SGLang matched_stop string       | stop          | "matched_stop":"END"  | stop_sequence | END
            TGI finish_reason stop_sequence  | stop_sequence | "index":0             | stop_sequence | END
            content_filter                   | content_filter| "index":0             | refusal       |
            unknown finish (SGLang abort)    | abort         | "index":0             | end_turn      |
            """)
    void edge17_matchedStopStringIsReportedAsStopSequence(String runtime, String finish, String extra, String stop,
            String sequence) {
        AnthropicRequest request = AnthropicToOpenAiRequestTest.translate("""
                {"model":"m","max_tokens":100,"stop_sequences":["END"],"messages":[{"role":"user","content":"Count"}]}""");
        ObjectNode m = translate(chat(text("one two three"), finish, extra, ""), request);
        assertThat(m.path("stop_reason").asText()).as(runtime).isEqualTo(stop);
        if (sequence == null) {
            assertThat(m.path("stop_sequence").isNull()).as(runtime).isTrue();
        } else {
            assertThat(m.path("stop_sequence").asText()).as(runtime).isEqualTo(sequence);
        }
    }

    @Test
    void edge21_cachedPromptTokensAreSubtractedFromInputTokens() {
        JsonNode u = translate(chat(text("ok"), "stop", "", """
                {"prompt_tokens":1000,"completion_tokens":7,"total_tokens":1007,
                 "prompt_tokens_details":{"cached_tokens":900}}""")).path("usage");
        assertThat(u.path("input_tokens").asLong()).isEqualTo(100);
        assertThat(u.path("cache_read_input_tokens").asLong()).isEqualTo(900);
        assertThat(u.path("cache_creation_input_tokens").asLong()).isZero();
        assertThat(u.path("output_tokens").asLong()).isEqualTo(7);
        assertThat(u.path("input_tokens").asLong() + u.path("cache_read_input_tokens").asLong()
                + u.path("cache_creation_input_tokens").asLong()).as("nothing counted twice").isEqualTo(1000);
    }

    @Test
    void edge21_usageWithoutCacheDetailsKeepsAllPromptTokensAsInput() {
        JsonNode u = fixture("vllm/chat-tool-call.json").path("usage");
        assertThat(u.path("input_tokens").asLong()).isEqualTo(185);
        assertThat(u.path("cache_read_input_tokens").asLong()).isZero();
        assertThat(u.path("output_tokens").asLong()).isEqualTo(138);
    }

    @Test
    void missingUsageIsEstimatedWithNonZeroCounts() {
        JsonNode u = translate(chat(text("A fairly long answer with some words in it."), "stop", "", "")).path("usage");
        assertThat(u.path("input_tokens").asLong()).isPositive();
        assertThat(u.path("output_tokens").asLong()).isPositive();
    }

    @Test
    void edge27_shortenedToolNameIsRestoredInTheToolUseBlock() {
        String longName = "mcp__company_knowledge_base__search_documents_matching_a_query_within_a_date_rng";
        AnthropicRequest request = AnthropicToOpenAiRequestTest.translate("""
                {"model":"m","max_tokens":100,"messages":[{"role":"user","content":"find"}],
                 "tools":[{"name":"%s","input_schema":{"type":"object"}}]}""".formatted(longName));
        String upstreamName = request.openAi().path("tools").get(0).path("function").path("name").asText();
        ObjectNode m = translate(chat("""
                {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                 "function":{"name":"%s","arguments":"{\\"q\\":\\"x\\"}"}}]}""".formatted(upstreamName), "tool_calls",
                "", ""), request);
        assertThat(m.path("content").get(0).path("name").asText()).isEqualTo(longName);
    }

    @Test
    void edge30_illegalAndDuplicateToolCallIdsBecomeUniqueValidIds() {
        ObjectNode m = translate(chat("""
                {"role":"assistant","content":null,"tool_calls":[
                  {"id":"functions.Bash:0","type":"function","function":{"name":"Bash","arguments":"{}"}},
                  {"id":"0","type":"function","function":{"name":"Bash","arguments":"{}"}},
                  {"id":"0","type":"function","function":{"name":"Bash","arguments":"{}"}},
                  {"type":"function","function":{"name":"Bash","arguments":"{}"}}]}""", "tool_calls", "", ""));
        Set<String> ids = new HashSet<>();
        for (JsonNode b : m.path("content")) {
            assertThat(b.path("id").asText()).matches("^[a-zA-Z0-9_-]+$");
            ids.add(b.path("id").asText());
        }
        assertThat(m.path("content")).hasSize(4);
        assertThat(ids).hasSize(4).contains("0").doesNotContain("functions.Bash:0");
    }

    @Test
    void edge31_tgiArgumentsGivenAsAnObjectAreUsedAsTheInput() {
        ObjectNode m = translate(chat("""
                {"role":"assistant","content":null,"tool_calls":[{"id":"0","type":"function",
                 "function":{"name":"get_current_weather","arguments":{"location":"Brooklyn, NY","format":"fahrenheit"}}}]}""",
                "stop", "", ""));
        assertThat(m.path("content").get(0).path("input"))
                .isEqualTo(Json.tryParse("{\"location\":\"Brooklyn, NY\",\"format\":\"fahrenheit\"}"));
        assertThat(m.path("stop_reason").asText()).isEqualTo("tool_use");
    }

    @Test
    void edge31_recordedTgiToolCallBecomesAToolUseWithParsedInput() {
        JsonNode block = fixture("tgi/chat-tool-call.json").path("content").get(0);
        assertThat(block.path("id").asText()).isEqualTo("0");
        assertThat(block.path("name").asText()).isEqualTo("get_current_weather");
        assertThat(block.path("input").path("location").asText()).isEqualTo("Brooklyn, NY");
    }

    @Test
    void edge33_responseEchoesTheClientModelNotTheUpstreamOne() {
        AnthropicRequest request = AnthropicToOpenAiRequestTest.translate(BackendKind.TGI, """
                {"model":"my-llama","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]}""");
        assertThat(request.openAi().path("model").asText()).isEqualTo("tgi");
        ObjectNode m = OpenAiToAnthropicResponse.translate(Fixtures.bytes("tgi/chat-finish-length.json"), request);
        assertThat(m.path("model").asText()).isEqualTo("my-llama");
    }

    @Test
    void reasoningFieldBecomesAFirstThinkingBlockWithAnEmptySignature() {
        ObjectNode m = fixture("ollama/chat-reasoning.json");
        assertThat(m.path("content")).hasSize(2);
        JsonNode thinking = m.path("content").get(0);
        assertThat(thinking.path("type").asText()).isEqualTo("thinking");
        assertThat(thinking.path("thinking").asText()).startsWith("Okay, the user is asking for the capital of France.");
        assertThat(thinking.has("signature")).isTrue();
        assertThat(thinking.path("signature").asText()).isEmpty();
        assertThat(m.path("content").get(1).path("text").asText()).isEqualTo("{ \"city\": \"Paris\", \"country\": \"France\" }");
    }

    @Test
    void reasoningContentFieldBecomesAThinkingBlockToo() {
        ObjectNode m = translate(chat("{\"role\":\"assistant\",\"content\":\"4\",\"reasoning_content\":\"2+2 is 4.\"}",
                "stop", "", ""));
        assertThat(m.path("content").get(0).path("type").asText()).isEqualTo("thinking");
        assertThat(m.path("content").get(0).path("thinking").asText()).isEqualTo("2+2 is 4.");
        assertThat(m.path("content").get(1).path("text").asText()).isEqualTo("4");
    }

    @Test
    void inlineThinkTagsAreSplitIntoThinkingAndText() {
        ObjectNode m = fixture("vllm/chat.json");
        assertThat(m.path("content")).hasSize(2);
        assertThat(m.path("content").get(0).path("type").asText()).isEqualTo("thinking");
        assertThat(m.path("content").get(0).path("thinking").asText()).startsWith("Okay, the user is asking")
                .doesNotContain("<think>", "</think>");
        assertThat(m.path("content").get(1).path("text").asText()).startsWith("I'm sorry").doesNotContain("</think>");
    }

    @Test
    void inlineThinkThenToolCallGivesThinkingAndToolUseWithoutAWhitespaceTextBlock() {
        // vllm/chat-tool-call.json: content is "<think>…</think>\n\n" plus a tool call
        ObjectNode m = fixture("vllm/chat-tool-call.json");
        assertThat(m.path("content")).extracting(b -> b.path("type").asText()).containsExactly("thinking", "tool_use");
        assertThat(m.path("content").get(1).path("id").asText()).startsWith("chatcmpl-tool-");
        assertThat(m.path("content").get(1).path("input").path("location").asText()).isEqualTo("San Francisco, CA");
        assertThat(m.path("stop_reason").asText()).isEqualTo("tool_use");
    }

    @Test
    void emptyOrWhitespaceOnlyContentNextToAToolCallOpensNoTextBlock() {
        // ollama/chat-tool-call.json carries content "" with its tool call
        assertThat(fixture("ollama/chat-tool-call.json").path("content")).extracting(b -> b.path("type").asText())
                .containsExactly("tool_use");
        ObjectNode m = translate(chat("""
                {"role":"assistant","content":"\\n\\n","tool_calls":[{"id":"call_1","type":"function",
                 "function":{"name":"get_weather","arguments":"{}"}}]}""", "tool_calls", "", ""));
        assertThat(m.path("content")).extracting(b -> b.path("type").asText()).containsExactly("tool_use");
    }

    @Test
    void emptyAndNullArgumentsBecomeAnEmptyInputObject() {
        ObjectNode m = translate(chat("""
                {"role":"assistant","content":null,"tool_calls":[
                  {"id":"call_1","type":"function","function":{"name":"get_time","arguments":""}},
                  {"id":"call_2","type":"function","function":{"name":"get_time","arguments":null}}]}""",
                "tool_calls", "", ""));
        assertThat(m.path("content").get(0).path("input")).isEqualTo(Json.object());
        assertThat(m.path("content").get(1).path("input")).isEqualTo(Json.object());
    }

    @Test
    void aBodyThatIsNotAChatResponseIsABadGateway() {
        assertThatThrownBy(() -> translate("<html>oops</html>")).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_GATEWAY));
        assertThatThrownBy(() -> translate("{\"choices\":[]}")).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.getMessage()).contains("no choices"));
    }
}
