package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.BackendProfile;
import dev.sluice.endpoint.Capabilities;
import dev.sluice.backend.BackendKind;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Anthropic Messages request → OpenAI chat request (protocols.md §3.1). Tests named {@code edgeNN_…} are the
 * rows of §5.3/§5.4 that concern this direction.
 */
class AnthropicToOpenAiRequestTest {
    private static final String LONG_NAME = "mcp__company_knowledge_base__search_documents_matching_a_query_within_a_date_rng";

    static AnthropicRequest translate(BackendKind kind, String json) {
        ObjectNode body = (ObjectNode) Json.tryParse(json);
        return AnthropicToOpenAiRequest.translate(body, Capabilities.of(BackendProfile.of(kind)), "served-model",
                body.path("model").asText("served-model"));
    }

    static AnthropicRequest translate(String json) {
        return translate(BackendKind.VLLM, json);
    }

    static JsonNode upstream(String json) {
        return translate(json).openAi();
    }

    private static GatewayException rejection(BackendKind kind, String json) {
        try {
            translate(kind, json);
        } catch (GatewayException e) {
            return e;
        }
        throw new AssertionError("expected the request to be rejected: " + json);
    }

    /** A conversation where the assistant called {@code ids} (tool get_weather) and the user answers with {@code userContent}. */
    private static String afterToolUse(String userContent, String... ids) {
        StringBuilder uses = new StringBuilder();
        for (String id : ids) {
            if (!uses.isEmpty()) {
                uses.append(',');
            }
            uses.append("{\"type\":\"tool_use\",\"id\":\"").append(id)
                    .append("\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}");
        }
        return """
                {"model":"claude-sonnet-4-5","max_tokens":100,"messages":[
                  {"role":"user","content":"Weather in Paris and Rome?"},
                  {"role":"assistant","content":[%s]},
                  {"role":"user","content":%s}]}""".formatted(uses, userContent);
    }

    // --- §5.3 ---

    @Test
    void edge23_systemBlocksWithCacheControlAreFlattenedToOneString() {
        JsonNode out = upstream("""
                {"model":"m","max_tokens":10,
                 "system":[{"type":"text","text":"You are terse.","cache_control":{"type":"ephemeral"}},
                           {"type":"text","text":"Answer in French.","cache_control":{"type":"ephemeral","ttl":"1h"}}],
                 "messages":[{"role":"user","content":"Hi"}]}""");
        JsonNode system = out.path("messages").get(0);
        assertThat(system.path("role").asText()).isEqualTo("system");
        assertThat(system.path("content").isTextual()).as("a string, not an array of parts").isTrue();
        assertThat(system.path("content").asText()).isEqualTo("You are terse.\n\nAnswer in French.");
        assertThat(out.toString()).doesNotContain("cache_control");
    }

    @Test
    void edge24_twoToolResultsThenTextBecomeTwoToolMessagesThenUser() {
        JsonNode msgs = upstream(afterToolUse("""
                [{"type":"tool_result","tool_use_id":"toolu_a","content":"18C"},
                 {"type":"tool_result","tool_use_id":"toolu_b","content":[{"type":"text","text":"21C"}]},
                 {"type":"text","text":"Which is warmer?"}]""", "toolu_a", "toolu_b")).path("messages");
        assertThat(msgs).hasSize(5);
        assertThat(msgs.get(1).path("tool_calls")).hasSize(2);
        assertThat(msgs.get(2).path("role").asText()).isEqualTo("tool");
        assertThat(msgs.get(2).path("tool_call_id").asText()).isEqualTo("toolu_a");
        assertThat(msgs.get(2).path("content").asText()).isEqualTo("18C");
        assertThat(msgs.get(3).path("role").asText()).isEqualTo("tool");
        assertThat(msgs.get(3).path("tool_call_id").asText()).isEqualTo("toolu_b");
        assertThat(msgs.get(3).path("content").asText()).isEqualTo("21C");
        assertThat(msgs.get(4).path("role").asText()).isEqualTo("user");
        assertThat(msgs.get(4).path("content").asText()).isEqualTo("Which is warmer?");
    }

    @Test
    void edge24_toolResultsComeBeforeTextEvenWhenTheTextIsFirstInTheMessage() {
        JsonNode msgs = upstream(afterToolUse("""
                [{"type":"text","text":"Here you go."},
                 {"type":"tool_result","tool_use_id":"toolu_a","content":"18C"}]""", "toolu_a")).path("messages");
        assertThat(msgs.get(2).path("role").asText()).isEqualTo("tool");
        assertThat(msgs.get(3).path("role").asText()).isEqualTo("user");
        assertThat(msgs.get(3).path("content").asText()).isEqualTo("Here you go.");
    }

    @Test
    void edge25_imageInsideAToolResultGoesIntoAFollowingUserMessage() {
        JsonNode msgs = upstream(afterToolUse("""
                [{"type":"tool_result","tool_use_id":"toolu_a","content":[
                    {"type":"text","text":"Screenshot attached"},
                    {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}]""",
                "toolu_a")).path("messages");
        JsonNode tool = msgs.get(2);
        assertThat(tool.path("role").asText()).isEqualTo("tool");
        assertThat(tool.path("content").isTextual()).isTrue();
        assertThat(tool.path("content").asText()).isEqualTo("Screenshot attached");
        JsonNode user = msgs.get(3);
        assertThat(user.path("role").asText()).isEqualTo("user");
        assertThat(user.path("content").get(0).path("type").asText()).isEqualTo("image_url");
        assertThat(user.path("content").get(0).path("image_url").path("url").asText())
                .isEqualTo("data:image/png;base64,iVBORw0KGgo=");
    }

    @Test
    void edge26_toolResultWithAnUnknownToolUseIdIsRejectedNotEmptied() {
        GatewayException e = rejection(BackendKind.VLLM, afterToolUse("""
                [{"type":"tool_result","tool_use_id":"toolu_nobody","content":"18C"}]""", "toolu_a"));
        assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).contains("toolu_nobody");
    }

    @Test
    void edge26_toolResultWithoutToolUseIdIsRejected() {
        GatewayException e = rejection(BackendKind.VLLM, afterToolUse("""
                [{"type":"tool_result","content":"18C"}]""", "toolu_a"));
        assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("tool_use_id");
    }

    @Test
    void edge27_toolNameOf80CharsIsShortenedUpstreamAndMappedBack() {
        assertThat(LONG_NAME).hasSize(80);
        AnthropicRequest r = translate("""
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"find q3"}],
                 "tools":[{"name":"%1$s","input_schema":{"type":"object","properties":{"q":{"type":"string"}}}},
                          {"name":"short_tool","input_schema":{"type":"object"}}],
                 "tool_choice":{"type":"tool","name":"%1$s"}}""".formatted(LONG_NAME));
        String sent = r.openAi().path("tools").get(0).path("function").path("name").asText();
        assertThat(sent).hasSize(64).startsWith(LONG_NAME.substring(0, 55) + "_").matches("^[a-zA-Z0-9_-]{1,64}$");
        assertThat(sent.substring(56)).matches("[0-9a-f]{8}");
        assertThat(r.openAi().path("tools").get(1).path("function").path("name").asText()).isEqualTo("short_tool");
        assertThat(r.openAi().path("tool_choice").path("function").path("name").asText()).isEqualTo(sent);
        assertThat(r.toolNames()).containsEntry(sent, LONG_NAME).hasSize(1);
    }

    @Test
    void edge27_longToolNameInHistoryIsShortenedTheSameWay() {
        AnthropicRequest r = translate("""
                {"model":"m","max_tokens":10,"tools":[{"name":"%1$s","input_schema":{"type":"object"}}],"messages":[
                  {"role":"user","content":"find q3"},
                  {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"%1$s","input":{}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"none"}]}]}"""
                .formatted(LONG_NAME));
        assertThat(r.openAi().path("messages").get(1).path("tool_calls").get(0).path("function").path("name").asText())
                .isEqualTo(r.openAi().path("tools").get(0).path("function").path("name").asText());
    }

    @ParameterizedTest(name = "{0} on {1} → tool_choice {2}, parallel_tool_calls {3}")
    @CsvSource(delimiter = '|', textBlock = """
            {"type":"auto"}                                  | VLLM   | "auto"                                          | <absent>
            {"type":"any"}                                   | VLLM   | "required"                                      | <absent>
            {"type":"tool","name":"get_weather"}             | VLLM   | {"type":"function","function":{"name":"get_weather"}} | <absent>
            {"type":"none"}                                  | VLLM   | "none"                                          | <absent>
            {"type":"any","disable_parallel_tool_use":true}  | VLLM   | "required"                                      | false
            {"type":"auto","disable_parallel_tool_use":true} | SGLANG | "auto"                                          | false
            """)
    void edge28_toolChoiceMapsToTheOpenAiForm(String choice, BackendKind kind, String expected, String parallel) {
        JsonNode out = translate(kind, """
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"Weather?"}],
                 "tools":[{"name":"get_weather","input_schema":{"type":"object"}}],"tool_choice":%s}"""
                .formatted(choice)).openAi();
        assertThat(out.path("tools")).hasSize(1);
        assertThat(out.get("tool_choice")).isEqualTo(Json.tryParse(expected));
        if (parallel.equals("<absent>")) {
            assertThat(out.has("parallel_tool_calls")).isFalse();
        } else {
            assertThat(out.path("parallel_tool_calls").asBoolean(true)).isFalse();
        }
    }

    @Test
    void edge28_toolChoiceNoneOnOllamaOmitsTheToolsBecauseOllamaIgnoresToolChoice() {
        String json = """
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"Just talk."}],
                 "tools":[{"name":"get_weather","input_schema":{"type":"object"}}],"tool_choice":{"type":"none"}}""";
        JsonNode ollama = translate(BackendKind.OLLAMA, json).openAi();
        assertThat(ollama.has("tools")).isFalse();
        assertThat(ollama.has("tool_choice")).isFalse();
        assertThat(translate(BackendKind.VLLM, json).openAi().path("tools")).hasSize(1);
    }

    @Test
    void toolsWithoutToolChoiceAreSentWithoutOneAndKeepTheirSchema() {
        JsonNode out = upstream("""
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"Weather?"}],
                 "tools":[{"name":"get_weather","description":"Weather now","cache_control":{"type":"ephemeral"},
                           "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
                          {"name":"no_schema"},
                          {"type":"web_search_20250305","name":"web_search","max_uses":3}]}""");
        assertThat(out.has("tool_choice")).isFalse();
        assertThat(out.path("tools")).as("the server tool is dropped for a local runtime").hasSize(2);
        JsonNode fn = out.path("tools").get(0).path("function");
        assertThat(out.path("tools").get(0).path("type").asText()).isEqualTo("function");
        assertThat(fn.path("description").asText()).isEqualTo("Weather now");
        assertThat(fn.path("parameters").path("required").get(0).asText()).isEqualTo("city");
        assertThat(out.path("tools").get(1).path("function").path("parameters"))
                .isEqualTo(Json.tryParse("{\"type\":\"object\",\"properties\":{}}"));
        assertThat(out.toString()).doesNotContain("cache_control", "web_search");
    }

    // --- §5.4 ---

    @Test
    void edge33_tgiBackendIsSentModelTgiWhateverTheClientAskedFor() {
        AnthropicRequest r = translate(BackendKind.TGI, """
                {"model":"my-llama","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""");
        assertThat(r.openAi().path("model").asText()).isEqualTo("tgi");
        assertThat(r.clientModel()).isEqualTo("my-llama");
        assertThat(translate(BackendKind.VLLM, """
                {"model":"my-llama","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""")
                .openAi().path("model").asText()).isEqualTo("served-model");
    }

    @Test
    void edge36_ollamaImageGivenAsAnHttpsUrlIsRejectedWith400() {
        String json = """
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":[
                  {"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}},
                  {"type":"text","text":"What is this?"}]}]}""";
        GatewayException e = rejection(BackendKind.OLLAMA, json);
        assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).contains("base64");
        JsonNode vllm = translate(BackendKind.VLLM, json).openAi().path("messages").get(0).path("content");
        assertThat(vllm.get(0).path("image_url").path("url").asText()).isEqualTo("https://example.com/cat.png");
        assertThat(vllm.get(1)).isEqualTo(Json.tryParse("{\"type\":\"text\",\"text\":\"What is this?\"}"));
    }

    @Test
    void base64ImageBecomesADataUri() {
        JsonNode part = upstream("""
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":[
                  {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}}]}]}""")
                .path("messages").get(0).path("content").get(0);
        assertThat(part.path("type").asText()).isEqualTo("image_url");
        assertThat(part.path("image_url").path("url").asText()).isEqualTo("data:image/jpeg;base64,/9j/4AAQ");
    }

    // --- other §3.1 rules ---

    @Test
    void isErrorToolResultIsPrefixedWithError() {
        JsonNode msgs = upstream(afterToolUse("""
                [{"type":"tool_result","tool_use_id":"toolu_a","is_error":true,"content":"city not found"},
                 {"type":"tool_result","tool_use_id":"toolu_b","is_error":false,"content":"21C"}]""",
                "toolu_a", "toolu_b")).path("messages");
        assertThat(msgs.get(2).path("content").asText()).isEqualTo("Error: city not found");
        assertThat(msgs.get(3).path("content").asText()).isEqualTo("21C");
    }

    @Test
    void toolResultWithoutContentBecomesAnEmptyString() {
        JsonNode tool = upstream(afterToolUse("[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_a\"}]", "toolu_a"))
                .path("messages").get(2);
        assertThat(tool.path("content").isTextual()).isTrue();
        assertThat(tool.path("content").asText()).isEmpty();
    }

    @Test
    void thinkingBlocksInTheHistoryAreDroppedWhereTheTemplateDoesNotRenderThem() {
        JsonNode msgs = translate(BackendKind.OLLAMA, """
                {"model":"m","max_tokens":10,"messages":[
                  {"role":"user","content":"2+2?"},
                  {"role":"assistant","content":[
                    {"type":"thinking","thinking":"Simple arithmetic.","signature":"EqQBsig"},
                    {"type":"redacted_thinking","data":"opaque"},
                    {"type":"text","text":"4"}]},
                  {"role":"user","content":"And times 3?"}]}""").openAi().path("messages");
        assertThat(msgs.get(1).path("content").asText()).isEqualTo("4");
        assertThat(msgs.toString()).doesNotContain("Simple arithmetic", "opaque", "EqQBsig", "reasoning");
    }

    @Test
    void assistantToolUseBecomesToolCallsWithNullContentAndJsonArguments() {
        // the A→O mirror of §5.6 #45: no empty text is sent next to tool calls
        JsonNode assistant = upstream(afterToolUse("[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_a\","
                + "\"content\":\"18C\"}]", "toolu_a")).path("messages").get(1);
        assertThat(assistant.path("content").isNull()).isTrue();
        JsonNode call = assistant.path("tool_calls").get(0);
        assertThat(call.path("id").asText()).isEqualTo("toolu_a");
        assertThat(call.path("type").asText()).isEqualTo("function");
        assertThat(call.path("function").path("arguments").isTextual()).isTrue();
        assertThat(Json.tryParse(call.path("function").path("arguments").asText()))
                .isEqualTo(Json.tryParse("{\"city\":\"Paris\"}"));
    }

    @Test
    void stopSequencesBecomeStopAndAreKeptToReportWhichMatched() {
        AnthropicRequest r = translate("""
                {"model":"m","max_tokens":10,"stop_sequences":["END","\\n\\nHuman:"],
                 "messages":[{"role":"user","content":"Count."}]}""");
        assertThat(r.openAi().path("stop")).isEqualTo(Json.tryParse("[\"END\",\"\\n\\nHuman:\"]"));
        assertThat(r.stopSequences()).containsExactly("END", "\n\nHuman:");
    }

    @Test
    void streamingRequestsAskForUsageAndNonStreamingOnesNeverCarryStreamOptions() {
        JsonNode streamed = upstream("""
                {"model":"m","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""");
        assertThat(streamed.path("stream").asBoolean()).isTrue();
        assertThat(streamed.path("stream_options").path("include_usage").asBoolean()).isTrue();
        JsonNode unary = upstream("""
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""");
        assertThat(unary.has("stream")).isFalse();
        assertThat(unary.has("stream_options")).as("vLLM answers 400 to stream_options without stream").isFalse();
    }

    @Test
    void maxTokensZeroIsNotSentUpstreamAndIsKeptForTheLocalAnswer() {
        AnthropicRequest r = translate("""
                {"model":"m","max_tokens":0,"messages":[{"role":"user","content":"warm the cache"}]}""");
        assertThat(r.maxTokens()).isZero();
        assertThat(r.openAi().has("max_tokens")).isFalse();
        assertThat(r.estimatedInputTokens()).isPositive();
    }

    @Test
    void samplingParametersAndMetadataUserIdArePassedOn() {
        JsonNode out = upstream("""
                {"model":"m","max_tokens":321,"temperature":0.2,"top_p":0.9,"top_k":40,
                 "metadata":{"user_id":"user-7"},"messages":[{"role":"user","content":"Hi"}]}""");
        assertThat(out.path("max_tokens").asInt()).isEqualTo(321);
        assertThat(out.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(out.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(out.path("top_k").asInt()).isEqualTo(40);
        assertThat(out.path("user").asText()).isEqualTo("user-7");
    }

    @Test
    void anthropicOnlyFieldsAreDroppedNotRefused() {
        JsonNode out = upstream("""
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":[
                   {"type":"text","text":"Hi","cache_control":{"type":"ephemeral"}}]}],
                 "context_management":{"edits":[{"type":"clear_tool_uses_20250919"}]},
                 "cache_control":{"type":"ephemeral"},"service_tier":"auto","container":"c1",
                 "mcp_servers":[],"inference_geo":"us","betas":["x"]}""");
        assertThat(out.path("messages").get(0).path("content").asText()).isEqualTo("Hi");
        for (String f : new String[] {"context_management", "cache_control", "service_tier", "container",
                "mcp_servers", "inference_geo", "betas"}) {
            assertThat(out.has(f)).as(f).isFalse();
        }
    }

    @Test
    void userTextBlocksBecomeOneStringAndConsecutiveUserTurnsAreMerged() {
        JsonNode msgs = upstream("""
                {"model":"m","max_tokens":10,"messages":[
                  {"role":"user","content":[{"type":"text","text":"First."},{"type":"text","text":""},
                                            {"type":"text","text":"Second."}]},
                  {"role":"user","content":"Third."}]}""").path("messages");
        assertThat(msgs).hasSize(1);
        assertThat(msgs.get(0).path("content").asText()).isEqualTo("First.\n\nSecond.\n\nThird.");
    }

    @Test
    void midConversationSystemMessageIsMergedIntoTheTopSystemPrompt() {
        JsonNode msgs = upstream("""
                {"model":"m","max_tokens":10,"system":"Top.","messages":[
                  {"role":"user","content":"Hi"},
                  {"role":"system","content":"Be brief from now on."},
                  {"role":"user","content":"Again"}]}""").path("messages");
        assertThat(msgs.get(0).path("content").asText()).isEqualTo("Top.\n\nBe brief from now on.");
        assertThat(msgs.toString()).containsOnlyOnce("\"role\":\"system\"");
    }

    @Test
    void textDocumentBecomesTextAndPdfIsRejected() {
        JsonNode part = upstream("""
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":[
                  {"type":"document","title":"Notes","source":{"type":"text","media_type":"text/plain","data":"a=1"}},
                  {"type":"text","text":"Summarise."}]}]}""").path("messages").get(0);
        assertThat(part.path("content").asText()).isEqualTo("Notes\na=1\n\nSummarise.");
        GatewayException e = rejection(BackendKind.VLLM, """
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":[
                  {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}}]}]}""");
        assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
    }

    @Test
    void thinkingSwitchUsesTheRuntimesOwnKnob() {
        String on = """
                {"model":"m","max_tokens":9000,"thinking":{"type":"enabled","budget_tokens":8000},
                 "messages":[{"role":"user","content":"Hi"}]}""";
        assertThat(translate(BackendKind.VLLM, on).openAi().path("chat_template_kwargs").path("enable_thinking")
                .asBoolean()).isTrue();
        assertThat(translate(BackendKind.OLLAMA, on).openAi().path("reasoning_effort").asText()).isEqualTo("medium");
        assertThat(translate(BackendKind.VLLM, """
                {"model":"m","max_tokens":10,"thinking":{"type":"disabled"},"messages":[{"role":"user","content":"Hi"}]}""")
                .openAi().path("chat_template_kwargs").path("enable_thinking").asBoolean(true)).isFalse();
    }

    @Test
    void structuredOutputBecomesAJsonSchemaResponseFormat() {
        JsonNode rf = upstream("""
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"Hi"}],
                 "output_config":{"format":{"type":"json_schema","schema":{"type":"object","properties":{"a":{"type":"string"}}}}}}""")
                .path("response_format");
        assertThat(rf.path("type").asText()).isEqualTo("json_schema");
        assertThat(rf.path("json_schema").path("schema").path("properties").has("a")).isTrue();
    }

    @Test
    void missingMessagesOrAnUnknownRoleIsA400() {
        assertThat(rejection(BackendKind.VLLM, "{\"model\":\"m\",\"max_tokens\":10}").getMessage())
                .contains("messages");
        assertThat(rejection(BackendKind.VLLM, "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[]}").status())
                .isEqualTo(400);
        assertThatThrownBy(() -> translate("""
                {"model":"m","max_tokens":10,"messages":[{"role":"robot","content":"Hi"}]}"""))
                .isInstanceOf(GatewayException.class).hasMessageContaining("robot");
    }

    @Test
    void inputTokenEstimateIsPositiveAndGrowsWithThePrompt() {
        long small = translate("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .estimatedInputTokens();
        long large = translate("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\""
                + "word ".repeat(400) + "\"}]}").estimatedInputTokens();
        assertThat(small).isPositive();
        assertThat(large).isGreaterThan(small + 400);
    }

    @Test
    void edge29_mistralOnVllmGetsNineCharacterToolIdsThatStayPairedAcrossTurns() throws Exception {
        String json = afterToolUse("[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_01A09q90qw90lq917835lq9\","
                + "\"content\":\"sunny\"}]", "toolu_01A09q90qw90lq917835lq9");
        ObjectNode body = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        JsonNode out = AnthropicToOpenAiRequest.translate(body, Capabilities.of(BackendProfile.of(BackendKind.VLLM)),
                "mistralai/Mistral-Small-3.1-24B-Instruct-2503", "claude-sonnet-4-5").openAi();
        String callId = out.path("messages").path(1).path("tool_calls").path(0).path("id").asText();
        String resultId = out.path("messages").path(2).path("tool_call_id").asText();
        assertThat(callId).matches("[A-Za-z0-9]{9}");
        assertThat(resultId).isEqualTo(callId);
        // other models on vLLM keep the client's ids
        JsonNode plain = AnthropicToOpenAiRequest.translate((ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(json), Capabilities.of(BackendProfile.of(BackendKind.VLLM)), "Qwen/Qwen3-8B", "claude-sonnet-4-5").openAi();
        assertThat(plain.path("messages").path(1).path("tool_calls").path(0).path("id").asText())
                .isEqualTo("toolu_01A09q90qw90lq917835lq9");
    }
}
