package dev.sluice.translate;

import static dev.sluice.translate.ResponsesToOpenAiRequestTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.ObjectMappers;
import com.openai.models.responses.CompactedResponse;
import com.openai.models.responses.Response;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.responses.ResponsesStreamEvent;
import dev.sluice.testing.ResponsesStreamInvariants;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compaction through the model (ResponsesCompaction): Codex's {@code compaction_trigger} request and
 * {@code POST /v1/responses/compact} become a summary request. The summary comes back as a {@code compaction}
 * item, and that item becomes a user message when the client replays it.
 */
class ResponsesCompactionTest {
    static final long CREATED_AT = 1_796_649_145L;

    /** Codex 0.169's compaction request: the recorded second turn request with the trigger Codex appends. */
    static ObjectNode codexTrigger() {
        ObjectNode body = ResponsesCodexRequestTest.body("codex-0.169.0-turn-request-2.json");
        ((ArrayNode) body.get("input")).addObject().put("type", "compaction_trigger");
        return body;
    }

    static ResponsesRequest summaryRequest(ObjectNode body, ResponsesOptions options) {
        return ResponsesToOpenAiRequest.translate(ResponsesCompaction.summaryRequest(body), null, options, "up");
    }

    static byte[] completion(String message, String finish) {
        return """
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"up","choices":[
                 {"index":0,"message":%s,"finish_reason":"%s"}],
                 "usage":{"prompt_tokens":9000,"completion_tokens":120,"total_tokens":9120}}"""
                .formatted(message, finish).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] summaryCompletion(String text) {
        return completion("{\"role\":\"assistant\",\"content\":" + Json.string(Json.NODES.textNode(text)) + "}",
                "stop");
    }

    static ObjectNode normal(JsonNode built) {
        return (ObjectNode) json(Json.string(built));
    }

    @Test
    void onlyAnInputEndingWithACompactionTriggerAsksForCompaction() {
        assertThat(ResponsesCompaction.requested(codexTrigger())).isTrue();
        assertThat(ResponsesCompaction.requested(ResponsesCodexRequestTest.body("codex-0.169.0-turn-request-2.json")))
                .isFalse();
        assertThat(ResponsesCompaction.requested(json("{\"model\":\"m\",\"input\":\"compaction_trigger\"}"))).isFalse();
        assertThat(ResponsesCompaction.requested(json("""
                {"model":"m","input":[{"type":"compaction_trigger"},{"role":"user","content":"hi"}]}"""))).isFalse();
        assertThat(ResponsesCompaction.requested(json("{\"model\":\"m\",\"input\":[]}"))).isFalse();
    }

    @Test
    void codexsTriggerBecomesTheHistoryFollowedByTheSummaryPromptWithToolsOfferedButNotCallable() {
        ResponsesRequest r = summaryRequest(codexTrigger(), ResponsesOptions.local());
        JsonNode chat = r.chat();
        JsonNode messages = chat.get("messages");
        assertThat(messages).extracting(m -> m.get("role").asText())
                .containsExactly("system", "user", "user", "assistant", "tool", "user");
        assertThat(messages.get(3).at("/tool_calls/0/function/name").asText()).isEqualTo("exec_command");
        assertThat(messages.get(4).get("content").asText()).contains("hello-codex-43");
        assertThat(messages.get(5).get("content").asText()).isEqualTo(ResponsesCompaction.SUMMARY_PROMPT);
        assertThat(Json.string(chat)).doesNotContain("compaction_trigger");
        // the same tools as the turn, so the runtime's cached prefix still matches, but none may be called
        assertThat(chat.get("tools")).hasSize(12);
        assertThat(chat.get("tool_choice").asText()).isEqualTo("none");
        assertThat(chat.has("stream")).as("the summary is sent as one item, so it is not streamed").isFalse();
        assertThat(chat.has("stream_options")).isFalse();
        assertThat(r.stream()).isFalse();
    }

    @Test
    void aRuntimeWithoutToolChoiceIsOfferedNoToolsForTheSummary() {
        ResponsesOptions noToolChoice = new ResponsesOptions(false, ResponsesOptions.MaxTokensField.MAX_TOKENS, true,
                false, true, false, false, false, false, true);
        JsonNode chat = summaryRequest(codexTrigger(), noToolChoice).chat();
        assertThat(chat.has("tools")).isFalse();
        assertThat(chat.has("tool_choice")).isFalse();
    }

    @Test
    void aStructuredOutputFormatDoesNotShapeTheSummary() {
        JsonNode chat = summaryRequest((ObjectNode) json("""
                {"model":"m","stream":true,"input":"hi","text":{"format":{"type":"json_object"}}}"""),
                ResponsesOptions.local()).chat();
        assertThat(chat.has("response_format")).isFalse();
        assertThat(chat.get("messages")).extracting(m -> m.get("content").asText())
                .containsExactly("hi", ResponsesCompaction.SUMMARY_PROMPT);
    }

    @Test
    void theSummaryComesBackAsTheOnlyOutputItemACompactionTheOpenAiSdkReads() throws Exception {
        ResponsesRequest r = summaryRequest(codexTrigger(), ResponsesOptions.local());
        ObjectNode response = normal(ResponsesCompaction.response(summaryCompletion("Ran echo; printed hello-codex-43."),
                r, ResponsesIds.sequential("t"), CREATED_AT));

        assertThat(response.get("status").asText()).isEqualTo("completed");
        assertThat(response.get("id").asText()).startsWith("resp_");
        assertThat(response.get("output")).hasSize(1);
        JsonNode item = response.at("/output/0");
        assertThat(item.get("type").asText()).isEqualTo("compaction");
        assertThat(item.get("id").asText()).startsWith("cmp_");
        assertThat(item.get("encrypted_content").asText()).startsWith("sluice.compaction.v1:");
        assertThat(ResponsesCompaction.summary(item)).isEqualTo("Ran echo; printed hello-codex-43.");
        assertThat(response.at("/usage/input_tokens").asLong()).isEqualTo(9000);
        assertThat(response.at("/usage/output_tokens").asLong()).isEqualTo(120);

        Response sdk = ObjectMappers.jsonMapper().readValue(Json.string(response), Response.class).validate();
        assertThat(sdk.output()).hasSize(1);
        assertThat(sdk.output().get(0).isCompaction()).isTrue();
        assertThat(sdk.output().get(0).asCompaction().encryptedContent()).isEqualTo(item.get("encrypted_content")
                .asText());
    }

    @Test
    void reasoningIsNotPartOfTheSummary() {
        ResponsesRequest r = summaryRequest(codexTrigger(), ResponsesOptions.local());
        ObjectNode fromField = ResponsesCompaction.response(completion(
                "{\"role\":\"assistant\",\"reasoning_content\":\"let me think\",\"content\":\"the summary\"}", "stop"),
                r, ResponsesIds.sequential("t"), CREATED_AT);
        ObjectNode fromTags = ResponsesCompaction.response(completion(
                "{\"role\":\"assistant\",\"content\":\"<think>let me think</think>the summary\"}", "stop"),
                r, ResponsesIds.sequential("t"), CREATED_AT);
        assertThat(ResponsesCompaction.summary(fromField.at("/output/0"))).isEqualTo("the summary");
        assertThat(ResponsesCompaction.summary(fromTags.at("/output/0"))).isEqualTo("the summary");
    }

    @Test
    void aSummaryCutOffByTheTokenLimitIsStillACompletedCompaction() {
        ResponsesRequest r = summaryRequest(codexTrigger(), ResponsesOptions.local());
        ObjectNode response = ResponsesCompaction.response(completion(
                "{\"role\":\"assistant\",\"content\":\"Task: run echo. Done so far\"}", "length"), r,
                ResponsesIds.sequential("t"), CREATED_AT);
        assertThat(response.get("status").asText()).isEqualTo("completed");
        assertThat(response.get("incomplete_details").isNull()).isTrue();
        assertThat(ResponsesCompaction.summary(response.at("/output/0"))).isEqualTo("Task: run echo. Done so far");
    }

    @Test
    void aModelThatAnswersWithoutTextGivesABadGatewayInsteadOfAnEmptySummary() {
        ResponsesRequest r = summaryRequest(codexTrigger(), ResponsesOptions.local());
        byte[] toolCall = completion("""
                {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
                 "function":{"name":"exec_command","arguments":"{}"}}]}""", "tool_calls");
        for (byte[] body : List.of(toolCall, summaryCompletion("  \n"))) {
            assertThatThrownBy(() -> ResponsesCompaction.response(body, r, ResponsesIds.sequential("t"), CREATED_AT))
                    .isInstanceOfSatisfying(GatewayException.class,
                            e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_GATEWAY))
                    .hasMessageContaining("no text");
        }
    }

    @Test
    void theStreamCarriesTheCompactionItemAndEndsWithResponseCompleted() {
        ResponsesRequest r = summaryRequest(codexTrigger(), ResponsesOptions.local());
        ObjectNode response = ResponsesCompaction.response(summaryCompletion("the summary"), r,
                ResponsesIds.sequential("t"), CREATED_AT);
        List<ResponsesStreamEvent> events = ResponsesCompaction.events(r, response);
        ByteArrayOutputStream sse = new ByteArrayOutputStream();
        events.forEach(e -> sse.writeBytes(e.encode()));
        List<ResponsesStreamInvariants.Event> parsed = ResponsesStreamInvariants.parse(sse.toByteArray());
        ResponsesStreamInvariants.check(parsed);

        assertThat(parsed).extracting(ResponsesStreamInvariants.Event::type).containsExactly("response.created",
                "response.in_progress", "response.output_item.added", "response.output_item.done",
                "response.completed");
        assertThat(parsed.get(0).data().at("/response/status").asText()).isEqualTo("in_progress");
        assertThat(parsed.get(0).data().at("/response/id").asText()).isEqualTo(response.get("id").asText());
        assertThat(parsed.get(3).data().get("item")).isEqualTo(normal(response.at("/output/0")));
        assertThat(parsed.get(4).data().get("response")).isEqualTo(normal(response));
    }

    @Test
    void theCompactEndpointAnswersTheUserMessagesThenTheCompactionItem() throws Exception {
        ObjectNode client = (ObjectNode) json("""
                {"model":"m","instructions":"be brief","input":[
                 {"role":"developer","content":"dev"},
                 {"role":"user","content":"first"},
                 {"type":"message","role":"assistant","content":[{"type":"output_text","text":"ok"}]},
                 {"type":"function_call","call_id":"c1","name":"exec_command","arguments":"{}"},
                 {"type":"function_call_output","call_id":"c1","output":"done"},
                 {"type":"message","role":"user","content":[{"type":"input_text","text":"second"}]}]}""");
        ResponsesRequest r = ResponsesToOpenAiRequest.translate(ResponsesCompaction.summaryRequest(client), null,
                ResponsesOptions.local(), "up");
        assertThat(r.chat().get("messages")).extracting(m -> m.get("role").asText())
                .containsExactly("system", "user", "assistant", "tool", "user", "user");

        ObjectNode compacted = normal(ResponsesCompaction.compacted(summaryCompletion("the summary"), r, client,
                ResponsesIds.sequential("t"), CREATED_AT));
        assertThat(compacted.get("object").asText()).isEqualTo("response.compaction");
        assertThat(compacted.get("created_at").asLong()).isEqualTo(CREATED_AT);
        assertThat(compacted.get("output")).hasSize(3);
        assertThat(compacted.at("/output/0")).isEqualTo(json("{\"type\":\"message\",\"role\":\"user\",\"content\":\"first\"}"));
        assertThat(compacted.at("/output/1/content/0/text").asText()).isEqualTo("second");
        assertThat(ResponsesCompaction.summary(compacted.at("/output/2"))).isEqualTo("the summary");
        assertThat(compacted.at("/usage/total_tokens").asLong()).isEqualTo(9120);

        CompactedResponse sdk = ObjectMappers.jsonMapper().readValue(Json.string(compacted), CompactedResponse.class);
        assertThat(sdk.id()).isEqualTo(compacted.get("id").asText());
        assertThat(sdk.output().get(2).isCompaction()).isTrue();
    }

    @Test
    void aStringInputToTheCompactEndpointIsTheOneUserMessage() {
        ObjectNode client = (ObjectNode) json("{\"model\":\"m\",\"input\":\"only this\"}");
        ResponsesRequest r = ResponsesToOpenAiRequest.translate(ResponsesCompaction.summaryRequest(client), null,
                ResponsesOptions.local(), "up");
        ObjectNode compacted = ResponsesCompaction.compacted(summaryCompletion("s"), r, client,
                ResponsesIds.sequential("t"), CREATED_AT);
        assertThat(compacted.at("/output/0/content/0/text").asText()).isEqualTo("only this");
        assertThat(compacted.at("/output/1/type").asText()).isEqualTo("compaction");
    }

    @Test
    void aReplayedCompactionItemIsTheHandoffSummaryAsAUserMessage() {
        ResponsesRequest first = summaryRequest(codexTrigger(), ResponsesOptions.local());
        JsonNode item = ResponsesCompaction.response(summaryCompletion("Ran echo; it printed hello-codex-43."), first,
                ResponsesIds.sequential("t"), CREATED_AT).at("/output/0");
        // what Codex sends after a v2 compaction: the retained user messages, the compaction item, the new turn
        ObjectNode next = (ObjectNode) json("""
                {"model":"qwen","input":[
                 {"type":"message","role":"developer","content":[{"type":"input_text","text":"system prompt"}]},
                 {"type":"message","role":"user","content":[{"type":"input_text","text":"run-bash: echo hello-codex-43"}]}
                ]}""");
        ((ArrayNode) next.get("input")).add(item);
        ((ArrayNode) next.get("input")).addObject().put("type", "message").put("role", "user")
                .putArray("content").addObject().put("type", "input_text").put("text", "and now?");
        ResponsesRequest r = ResponsesToOpenAiRequest.translate(next, null, ResponsesOptions.local(), "up");
        JsonNode messages = r.chat().get("messages");
        assertThat(messages).extracting(m -> m.get("role").asText()).containsExactly("system", "user", "user", "user");
        assertThat(messages.get(2).get("content").asText())
                .isEqualTo(ResponsesCompaction.SUMMARY_PREFIX + "Ran echo; it printed hello-codex-43.");
        assertThat(r.droppedItems()).isEmpty();
    }

    @Test
    void aCompactionSummaryAloneIsEnoughHistoryToAnswer() {
        ObjectNode next = (ObjectNode) json("{\"model\":\"qwen\",\"input\":[]}");
        ((ArrayNode) next.get("input")).addObject().put("type", "compaction")
                .put("encrypted_content", ResponsesCompaction.encode("summary"));
        JsonNode messages = ResponsesToOpenAiRequest.translate(next, null, ResponsesOptions.local(), "up").chat()
                .get("messages");
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).get("content").asText()).endsWith("Summary:\nsummary");
    }

    @Test
    void openAisOwnOpaqueCompactionItemsAreStillDropped() {
        List<String> contents = new ArrayList<>(List.of("gAAAAABopaque", "sluice.compaction.v1:!!not base64!!"));
        for (String content : contents) {
            ObjectNode body = (ObjectNode) json("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            ((ArrayNode) body.get("input")).addObject().put("type", "compaction").put("encrypted_content", content);
            ResponsesRequest r = ResponsesToOpenAiRequest.translate(body, null, ResponsesOptions.local(), "up");
            assertThat(r.chat().get("messages")).hasSize(1);
            assertThat(r.droppedItems()).containsExactly("compaction");
        }
    }

    @Test
    void theSummaryKeepsAnyTextThroughItsEncoding() {
        String text = "résumé: \"quotes\", newlines\n\tand emoji 🚀";
        assertThat(ResponsesCompaction.summary(json("{\"type\":\"compaction\",\"encrypted_content\":"
                + Json.string(Json.NODES.textNode(ResponsesCompaction.encode(text))) + "}"))).isEqualTo(text);
    }
}
