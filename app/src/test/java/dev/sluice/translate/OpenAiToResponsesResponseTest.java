package dev.sluice.translate;

import static dev.sluice.translate.ResponsesToOpenAiRequestTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.ObjectMappers;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseOutputItem;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A whole chat completion → a Response object (responses-api.md §3, §5.1 non-streaming). */
class OpenAiToResponsesResponseTest {
    static final long CREATED_AT = 1_796_649_145L;
    static final String TOOLS_REQUEST = """
            {"model":"qwen","input":"q","tools":[
              {"type":"function","name":"exec_command","parameters":{"type":"object","properties":{}}},
              {"type":"namespace","name":"multi_agent_v1","description":"Sub-agents","tools":[{"type":"function","name":"spawn_agent"}]},
              {"type":"custom","name":"apply_patch"}]}""";

    static ResponsesRequest request(String body) {
        return ResponsesToOpenAiRequest.translate((ObjectNode) json(body), null, ResponsesOptions.local(), "up");
    }

    static ObjectNode translate(String requestBody, String chatResponse) {
        return normal(OpenAiToResponsesResponse.translate(chatResponse.getBytes(StandardCharsets.UTF_8),
                request(requestBody), ResponsesIds.sequential("t"), CREATED_AT));
    }

    /** Re-parsed, so numbers compare by value whatever node type built them (LongNode vs IntNode). */
    static ObjectNode normal(JsonNode built) {
        return (ObjectNode) json(Json.string(built));
    }

    static String completion(String message, String finish, String usage) {
        return """
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"up","choices":[
                 {"index":0,"message":%s,"finish_reason":"%s"}]%s}""".formatted(message, finish,
                usage == null ? "" : ",\"usage\":" + usage);
    }

    /** Parses with openai-java's own model and validates every field it knows. */
    static Response sdk(JsonNode response) throws Exception {
        return ObjectMappers.jsonMapper().readValue(Json.string(response), Response.class).validate();
    }

    @Test
    void aTextAnswerIsOneCompletedMessageWithTheUsageRenamed() throws Exception {
        ObjectNode r = translate("{\"model\":\"qwen\",\"input\":\"hi\",\"metadata\":{\"k\":\"v\"}}", completion(
                "{\"role\":\"assistant\",\"content\":\"Hello!\"}", "stop", """
                {"prompt_tokens":9120,"completion_tokens":61,"total_tokens":9181,
                 "prompt_tokens_details":{"cached_tokens":8960},"completion_tokens_details":{"reasoning_tokens":23}}"""));
        assertThat(r.get("id").asText()).isEqualTo("resp_t0001");
        assertThat(r.get("object").asText()).isEqualTo("response");
        assertThat(r.get("created_at").asLong()).isEqualTo(CREATED_AT);
        assertThat(r.get("status").asText()).isEqualTo("completed");
        assertThat(r.get("model").asText()).isEqualTo("qwen");
        assertThat(r.get("metadata")).isEqualTo(json("{\"k\":\"v\"}"));
        assertThat(r.get("output")).isEqualTo(json("""
                [{"id":"msg_t0002","type":"message","status":"completed","role":"assistant",
                  "content":[{"type":"output_text","text":"Hello!","annotations":[],"logprobs":[]}]}]"""));
        assertThat(r.get("usage")).isEqualTo(json("""
                {"input_tokens":9120,"input_tokens_details":{"cached_tokens":8960,"cache_write_tokens":0},
                 "output_tokens":61,"output_tokens_details":{"reasoning_tokens":23},"total_tokens":9181}"""));
        Response parsed = sdk(r);
        assertThat(parsed.output().get(0).asMessage().content().get(0).asOutputText().text()).isEqualTo("Hello!");
        assertThat(parsed.usage().orElseThrow().inputTokensDetails().cachedTokens()).isEqualTo(8960);
    }

    @ParameterizedTest
    @ValueSource(strings = {"reasoning_content", "reasoning"})
    void reasoningComesFirstAsRawTextOrAsASummaryWhenTheClientAskedForOne(String field) throws Exception {
        String chat = completion("{\"role\":\"assistant\",\"content\":\"Paris.\",\"" + field + "\":\"Capital...\"}",
                "stop", null);
        ObjectNode raw = translate("{\"model\":\"qwen\",\"input\":\"q\"}", chat);
        assertThat(raw.at("/output/0")).isEqualTo(json("""
                {"id":"rs_t0002","type":"reasoning","summary":[],"content":[{"type":"reasoning_text","text":"Capital..."}],
                 "encrypted_content":null,"status":"completed"}"""));
        assertThat(raw.at("/output/1/type").asText()).isEqualTo("message");
        ObjectNode summary = translate("{\"model\":\"qwen\",\"input\":\"q\",\"reasoning\":{\"summary\":\"auto\"}}", chat);
        assertThat(summary.at("/output/0/summary")).isEqualTo(json("[{\"type\":\"summary_text\",\"text\":\"Capital...\"}]"));
        assertThat(summary.at("/output/0/content")).isEmpty();
        assertThat(sdk(summary).output().get(0).reasoning().orElseThrow().summary().get(0).text()).isEqualTo("Capital...");
    }

    @Test
    void anInlineThinkBlockIsReasoningUnlessTheOptionIsOff() throws Exception {
        byte[] body = Fixtures.bytes("vllm/chat.json");
        ResponsesRequest split = request("{\"model\":\"qwen\",\"input\":\"q\"}");
        ObjectNode r = OpenAiToResponsesResponse.translate(body, split, ResponsesIds.sequential("t"), CREATED_AT);
        assertThat(r.at("/output/0/type").asText()).isEqualTo("reasoning");
        assertThat(r.at("/output/0/content/0/text").asText()).startsWith("\nOkay, the user is asking").doesNotContain("</think>");
        assertThat(r.at("/output/1/content/0/text").asText()).startsWith("I'm sorry");
        assertThat(sdk(r).output()).hasSize(2);
        ResponsesRequest plain = ResponsesToOpenAiRequest.translate((ObjectNode) json("{\"model\":\"qwen\",\"input\":\"q\"}"),
                null, ResponsesOptions.local().withSplitThinkTags(false), "up");
        ObjectNode kept = OpenAiToResponsesResponse.translate(body, plain, ResponsesIds.sequential("t"), CREATED_AT);
        assertThat(kept.get("output")).hasSize(1);
        assertThat(kept.at("/output/0/content/0/text").asText()).startsWith("<think>");
    }

    @Test
    void toolCallsRestoreTheirNamespaceAndCustomToolsTheirRawInput() throws Exception {
        ObjectNode r = translate(TOOLS_REQUEST, completion("""
                {"role":"assistant","content":"\\n\\n","tool_calls":[
                 {"id":"call_abcdefgh1","type":"function","function":{"name":"multi_agent_v1__spawn_agent","arguments":"{\\"task\\":\\"x\\"}"}},
                 {"id":"call_abcdefgh2","type":"function","function":{"name":"apply_patch","arguments":"{\\"input\\":\\"*** Begin Patch\\"}"}},
                 {"id":"call_abcdefgh3","type":"function","function":{"name":"exec_command","arguments":""}}]}""",
                "tool_calls", null));
        assertThat(r.get("output")).isEqualTo(json("""
                [{"id":"fc_t0002","type":"function_call","status":"completed","call_id":"call_abcdefgh1",
                  "namespace":"multi_agent_v1","name":"spawn_agent","arguments":"{\\"task\\":\\"x\\"}"},
                 {"id":"ctc_t0003","type":"custom_tool_call","call_id":"call_abcdefgh2","name":"apply_patch",
                  "input":"*** Begin Patch"},
                 {"id":"fc_t0004","type":"function_call","status":"completed","call_id":"call_abcdefgh3",
                  "name":"exec_command","arguments":"{}"}]"""));
        Response parsed = sdk(r);
        assertThat(parsed.output().get(0).functionCall().orElseThrow().namespace()).contains("multi_agent_v1");
        assertThat(parsed.output().get(1).customToolCall().orElseThrow().input()).isEqualTo("*** Begin Patch");
    }

    @Test
    void tgisRepeatedIdZeroAndObjectArgumentsBecomeAUniqueCallIdAndJsonText() throws Exception {
        ObjectNode r = OpenAiToResponsesResponse.translate(Fixtures.bytes("tgi/chat-tool-call.json"),
                request("{\"model\":\"llama\",\"input\":\"q\"}"), ResponsesIds.sequential("t"), CREATED_AT);
        JsonNode call = r.at("/output/0");
        assertThat(call.get("call_id").asText()).isEqualTo("call_t0003");
        assertThat(json(call.get("arguments").asText())).isEqualTo(json("""
                {"location":"Brooklyn, NY","format":"fahrenheit"}"""));
        ObjectNode twoZeros = translate("{\"model\":\"m\",\"input\":\"q\"}", completion("""
                {"role":"assistant","content":null,"tool_calls":[
                 {"id":"0","type":"function","function":{"name":"f","arguments":{"a":1}}},
                 {"id":"0","type":"function","function":{"name":"f","arguments":{"a":2}}}]}""", "stop", null));
        assertThat(twoZeros.at("/output/0/call_id").asText()).isNotEqualTo(twoZeros.at("/output/1/call_id").asText());
        assertThat(twoZeros.at("/output/1/arguments").asText()).isEqualTo("{\"a\":2}");
        assertThat(twoZeros.get("status").asText()).as("trust the calls, not TGI's finish_reason").isEqualTo("completed");
        sdk(twoZeros);
    }

    @Test
    void lengthMakesTheResponseAndItsLastItemIncomplete() throws Exception {
        ObjectNode r = OpenAiToResponsesResponse.translate(Fixtures.bytes("tgi/chat-finish-length.json"),
                request("{\"model\":\"llama\",\"input\":\"q\",\"max_output_tokens\":100}"), ResponsesIds.sequential("t"),
                CREATED_AT);
        assertThat(r.get("status").asText()).isEqualTo("incomplete");
        assertThat(r.get("incomplete_details")).isEqualTo(json("{\"reason\":\"max_output_tokens\"}"));
        assertThat(r.at("/output/0/status").asText()).isEqualTo("incomplete");
        assertThat(r.get("max_output_tokens").asInt()).isEqualTo(100);
        assertThat(sdk(r).incompleteDetails().orElseThrow().reason().orElseThrow().asString())
                .isEqualTo("max_output_tokens");
    }

    @Test
    void aContentFilterStopIsIncompleteForThatReasonAndARefusalIsARefusalPart() throws Exception {
        ObjectNode r = translate("{\"model\":\"m\",\"input\":\"q\"}", completion(
                "{\"role\":\"assistant\",\"content\":null,\"refusal\":\"I can't help with that.\"}", "content_filter",
                null));
        assertThat(r.get("incomplete_details")).isEqualTo(json("{\"reason\":\"content_filter\"}"));
        assertThat(r.at("/output/0/content")).isEqualTo(json("""
                [{"type":"refusal","refusal":"I can't help with that."}]"""));
        sdk(r);
    }

    @Test
    void withoutUsageEveryCountIsEstimatedAndStillAnInteger() throws Exception {
        ObjectNode r = translate("{\"model\":\"m\",\"input\":\"" + "word ".repeat(40) + "\"}", completion(
                "{\"role\":\"assistant\",\"content\":\"" + "answer ".repeat(20) + "\"}", "stop", null));
        JsonNode u = r.get("usage");
        assertThat(u.get("input_tokens").asLong()).isGreaterThan(40);
        assertThat(u.get("output_tokens").asLong()).isEqualTo(35);
        assertThat(u.get("total_tokens").asLong()).isEqualTo(u.get("input_tokens").asLong() + 35);
        assertThat(u.at("/input_tokens_details/cached_tokens").isIntegralNumber()).isTrue();
        assertThat(u.at("/output_tokens_details/reasoning_tokens").isIntegralNumber()).isTrue();
        sdk(r);
    }

    @Test
    void anEmptyTurnIsACompletedResponseWithNoOutput() throws Exception {
        ObjectNode r = translate("{\"model\":\"m\",\"input\":\"q\"}",
                completion("{\"role\":\"assistant\",\"content\":\"\"}", "stop", null));
        assertThat(r.get("output")).isEmpty();
        assertThat(r.get("status").asText()).isEqualTo("completed");
        sdk(r);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vllm/chat.json", "vllm/chat-tool-call.json", "ollama/chat.json", "ollama/chat-reasoning.json",
        "ollama/chat-tool-call.json", "openai/chat-basic.json", "openai/chat-tool-call.json", "tgi/chat-tool-call.json",
        "tgi/chat-finish-length.json"})
    void everyRecordedRuntimeAnswerBecomesAResponseTheSdkAccepts(String fixture) throws Exception {
        ObjectNode r = OpenAiToResponsesResponse.translate(Fixtures.bytes(fixture), request(TOOLS_REQUEST),
                ResponsesIds.sequential("t"), CREATED_AT);
        Response parsed = sdk(r);
        assertThat(parsed.id()).isEqualTo("resp_t0001");
        assertThat(parsed.output()).isNotEmpty();
        for (ResponseOutputItem item : parsed.output()) {
            assertThat(item.isMessage() || item.isReasoning() || item.isFunctionCall()).as(item.toString()).isTrue();
        }
        JsonNode chatUsage = Json.tryParse(Fixtures.bytes(fixture)).get("usage");
        assertThat(parsed.usage().orElseThrow().outputTokens())
                .isEqualTo(chatUsage.path("completion_tokens").asLong(-1));
    }

    @Test
    void aBodyThatIsNotAChatCompletionIsABadGateway() {
        assertThatThrownBy(() -> translate("{\"model\":\"m\",\"input\":\"q\"}", "<html>"))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_GATEWAY));
        assertThatThrownBy(() -> translate("{\"model\":\"m\",\"input\":\"q\"}", "{\"choices\":[]}"))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_GATEWAY));
    }
}
