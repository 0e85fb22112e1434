package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Responses request → chat request: input items and messages (responses-api.md §2.1–2.4). */
class ResponsesToOpenAiRequestTest {

    static JsonNode json(String text) {
        JsonNode n = Json.tryParse(text);
        if (n == null) {
            throw new IllegalArgumentException("not JSON: " + text);
        }
        return n;
    }

    static ResponsesRequest translate(String body, ResponsesOptions options, List<JsonNode> prior) {
        return ResponsesToOpenAiRequest.translate((ObjectNode) json(body), prior, options, "served-model");
    }

    static ResponsesRequest translate(String body) {
        return translate(body, ResponsesOptions.local(), null);
    }

    static JsonNode chat(String body) {
        return translate(body).chat();
    }

    static JsonNode messages(String input) {
        return chat("{\"model\":\"m\",\"input\":" + input + "}").get("messages");
    }

    static GatewayException rejection(String body, ResponsesOptions options, List<JsonNode> prior) {
        try {
            translate(body, options, prior);
        } catch (GatewayException e) {
            return e;
        }
        throw new AssertionError("expected a 400 for " + body);
    }

    static GatewayException rejection(String body) {
        return rejection(body, ResponsesOptions.local(), null);
    }

    @Test
    void aStringInputIsOneUserMessageToTheUpstreamModel() {
        JsonNode chat = chat("""
                {"model":"qwen","input":"hi"}""");
        assertThat(chat).isEqualTo(json("""
                {"model":"served-model","messages":[{"role":"user","content":"hi"}]}"""));
    }

    @Test
    void instructionsAndTheLeadingDeveloperMessagesBecomeOneSystemMessageFirst() {
        JsonNode m = chat("""
                {"model":"m","instructions":"S","input":[
                 {"type":"message","role":"developer","content":[{"type":"input_text","text":"D1"}]},
                 {"type":"message","role":"system","content":"D2"},
                 {"type":"message","role":"user","content":[{"type":"input_text","text":"U"}]}]}""").get("messages");
        assertThat(m).isEqualTo(json("""
                [{"role":"system","content":"S\\n\\nD1\\n\\nD2"},{"role":"user","content":"U"}]"""));
    }

    @Test
    void aDeveloperMessageAfterTheFirstTurnGoesAsUserUnlessTheRuntimeTakesLaterSystemMessages() {
        String body = """
                {"model":"m","input":[{"role":"user","content":"U"},{"role":"developer","content":"late"}]}""";
        assertThat(translate(body).chat().at("/messages/1")).isEqualTo(json("""
                {"role":"user","content":"late"}"""));
        assertThat(translate(body, ResponsesOptions.openAi(), null).chat().at("/messages/1")).isEqualTo(json("""
                {"role":"system","content":"late"}"""));
    }

    @Test
    void userTextPartsCollapseToAStringAndImagesBecomeImageUrlParts() {
        assertThat(messages("""
                [{"role":"user","content":[{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}]}]"""))
                .isEqualTo(json("[{\"role\":\"user\",\"content\":\"a\\nb\"}]"));
        assertThat(messages("""
                [{"role":"user","content":[{"type":"input_text","text":"what is it?"},
                  {"type":"input_image","image_url":"data:image/png;base64,AAAA","detail":"low"},
                  {"type":"input_image","image_url":"https://x/y.png"}]}]""")).isEqualTo(json("""
                [{"role":"user","content":[{"type":"text","text":"what is it?"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}},
                  {"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]"""));
    }

    @Test
    void anImageByFileIdIsRefusedBecauseThereIsNoFilesStore() {
        GatewayException e = rejection("""
                {"model":"m","input":[{"role":"user","content":[{"type":"input_image","file_id":"file-1"}]}]}""");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("unsupported_content_type");
        assertThat(e.getMessage()).contains("input[0].content[0]").contains("image_url");
    }

    @Test
    void anInlineFileIsAFilePartForOpenAiAndRefusedByALocalRuntime() {
        String body = """
                {"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"sum it up"},
                 {"type":"input_file","file_data":"data:application/pdf;base64,JVBE","filename":"a.pdf"}]}]}""";
        assertThat(rejection(body).code()).isEqualTo("unsupported_content_type");
        assertThat(translate(body, ResponsesOptions.openAi(), null).chat().at("/messages/0/content/1"))
                .isEqualTo(json("""
                        {"type":"file","file":{"file_data":"data:application/pdf;base64,JVBE","filename":"a.pdf"}}"""));
    }

    @Test
    void assistantOutputTextAndRefusalPartsBecomeTheAssistantText() {
        assertThat(messages("""
                [{"role":"user","content":"q"},
                 {"type":"message","role":"assistant","id":"msg_1","status":"completed","content":[
                   {"type":"output_text","text":"Hel","annotations":[],"logprobs":[]},{"type":"output_text","text":"lo"},
                   {"type":"refusal","refusal":" no."}]}]""")).isEqualTo(json("""
                [{"role":"user","content":"q"},{"role":"assistant","content":"Hello no."}]"""));
    }

    @Test
    void aFunctionCallAndItsOutputBecomeAToolCallAndItsToolMessage() {
        assertThat(messages("""
                [{"role":"user","content":"q"},
                 {"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_goal","arguments":""},
                 {"type":"function_call_output","call_id":"call_1","output":"none"}]""")).isEqualTo(json("""
                [{"role":"user","content":"q"},
                 {"role":"assistant","content":null,"tool_calls":[
                   {"id":"call_1","type":"function","function":{"name":"get_goal","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"call_1","content":"none"}]"""));
    }

    @Test
    void consecutiveCallsFoldIntoThePrecedingAssistantTextMessage() {
        assertThat(messages("""
                [{"role":"user","content":"q"},
                 {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Running both."}]},
                 {"type":"function_call","call_id":"a","name":"f","arguments":"{\\"x\\":1}"},
                 {"type":"function_call","call_id":"b","name":"f","arguments":"{\\"x\\":2}"},
                 {"type":"function_call_output","call_id":"a","output":"A"},
                 {"type":"function_call_output","call_id":"b","output":"B"},
                 {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Done."}]}]"""))
                .isEqualTo(json("""
                [{"role":"user","content":"q"},
                 {"role":"assistant","content":"Running both.","tool_calls":[
                   {"id":"a","type":"function","function":{"name":"f","arguments":"{\\"x\\":1}"}},
                   {"id":"b","type":"function","function":{"name":"f","arguments":"{\\"x\\":2}"}}]},
                 {"role":"tool","tool_call_id":"a","content":"A"},{"role":"tool","tool_call_id":"b","content":"B"},
                 {"role":"assistant","content":"Done."}]"""));
    }

    @Test
    void outputsMoveUpToFollowTheirCallsAndACallNeverAnsweredIsAborted() {
        assertThat(messages("""
                [{"role":"user","content":"q"},
                 {"type":"function_call","call_id":"a","name":"f","arguments":"{}"},
                 {"type":"function_call","call_id":"b","name":"f","arguments":"{}"},
                 {"type":"message","role":"assistant","content":"between"},
                 {"type":"function_call_output","call_id":"b","output":"B"},
                 {"role":"user","content":"next"}]""")).isEqualTo(json("""
                [{"role":"user","content":"q"},
                 {"role":"assistant","content":null,"tool_calls":[
                   {"id":"a","type":"function","function":{"name":"f","arguments":"{}"}},
                   {"id":"b","type":"function","function":{"name":"f","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"a","content":"aborted"},{"role":"tool","tool_call_id":"b","content":"B"},
                 {"role":"assistant","content":"between"},{"role":"user","content":"next"}]"""));
    }

    @Test
    void anOutputWithoutItsCallIsRefusedWithAHint() {
        GatewayException e = rejection("""
                {"model":"m","input":[{"role":"user","content":"q"},
                 {"type":"function_call_output","call_id":"call_x","output":"?"}]}""");
        assertThat(e.param()).isEqualTo("input");
        assertThat(e.getMessage()).contains("input[1]").contains("call_x").contains("send the call item");
    }

    @Test
    void aSecondOutputForTheSameCallIsRefused() {
        assertThat(rejection("""
                {"model":"m","input":[{"role":"user","content":"q"},
                 {"type":"function_call","call_id":"c","name":"f","arguments":"{}"},
                 {"type":"function_call_output","call_id":"c","output":"1"},
                 {"type":"function_call_output","call_id":"c","output":"2"}]}""").getMessage())
                .contains("input[3]").contains("second output");
    }

    @Test
    void toolOutputPartsJoinTheirTextAndTheirImagesFollowTheToolRunInAUserMessage() {
        String input = """
                [{"role":"user","content":"look"},
                 {"type":"function_call","call_id":"c","name":"view_image","arguments":"{}"},
                 {"type":"function_call_output","call_id":"c","output":[{"type":"input_text","text":"a"},
                   {"type":"input_text","text":"b"},{"type":"input_image","image_url":"data:image/png;base64,AA"}]}]""";
        assertThat(messages(input).get(2)).isEqualTo(json("""
                {"role":"tool","tool_call_id":"c","content":"a\\nb"}"""));
        assertThat(messages(input).get(3)).isEqualTo(json("""
                {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AA"}}]}"""));
        JsonNode withImages = translate("{\"model\":\"m\",\"input\":" + input + "}",
                ResponsesOptions.local().withToolImages(true), null).chat().get("messages");
        assertThat(withImages).hasSize(3);
        assertThat(withImages.get(2).get("content")).isEqualTo(json("""
                [{"type":"text","text":"a\\nb"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AA"}}]"""));
    }

    @Test
    void aReplayedCustomToolCallSendsItsInputWrappedAsTheOneStringArgument() {
        assertThat(messages("""
                [{"role":"user","content":"patch it"},
                 {"type":"custom_tool_call","call_id":"c","name":"apply_patch","input":"*** Begin Patch\\n*** End Patch"},
                 {"type":"custom_tool_call_output","call_id":"c","output":"Done!"}]""")).isEqualTo(json("""
                [{"role":"user","content":"patch it"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":
                   {"name":"apply_patch","arguments":"{\\"input\\":\\"*** Begin Patch\\\\n*** End Patch\\"}"}}]},
                 {"role":"tool","tool_call_id":"c","content":"Done!"}]"""));
    }

    @Test
    void aReplayedNamespacedCallComesBackUnderTheNameTheToolWasOfferedWith() {
        assertThat(messages("""
                [{"role":"user","content":"q"},
                 {"type":"function_call","call_id":"c1","namespace":"multi_agent_v1","name":"spawn_agent","arguments":"{}"},
                 {"type":"function_call_output","call_id":"c1","output":"ok"}]""").at("/1/tool_calls/0/function/name")
                .asText()).isEqualTo("multi_agent_v1__spawn_agent");
    }

    @Test
    void aLocalShellCallIsReplayedAsACallOfLocalShellWithItsAction() {
        assertThat(messages("""
                [{"role":"user","content":"q"},
                 {"type":"local_shell_call","id":"lsc_1","call_id":"c","status":"completed",
                  "action":{"type":"exec","command":["ls"]}},
                 {"type":"local_shell_call_output","id":"c","output":"a.txt"}]""")).isEqualTo(json("""
                [{"role":"user","content":"q"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":
                   {"name":"local_shell","arguments":"{\\"type\\":\\"exec\\",\\"command\\":[\\"ls\\"]}"}}]},
                 {"role":"tool","tool_call_id":"c","content":"a.txt"}]"""));
    }

    @Test
    void earlierReasoningGoesBackAsReasoningContentOnTheNextAssistantMessageOnlyWhenTheRuntimeWantsIt() {
        String body = """
                {"model":"m","input":[{"role":"user","content":"q"},
                 {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"short"}],
                  "content":[{"type":"reasoning_text","text":"long thought"}],"encrypted_content":"gAAAA"},
                 {"type":"function_call","call_id":"c","name":"f","arguments":"{}"},
                 {"type":"function_call_output","call_id":"c","output":"r"},
                 {"type":"reasoning","id":"rs_2","summary":[{"type":"summary_text","text":"s1"},{"type":"summary_text","text":"s2"}]},
                 {"type":"message","role":"assistant","content":"A"},
                 {"type":"reasoning","id":"rs_3","summary":[],"encrypted_content":"opaque"},
                 {"role":"user","content":"again"}]}""";
        JsonNode replayed = translate(body, ResponsesOptions.local().withReplayReasoning(true), null).chat()
                .get("messages");
        assertThat(replayed.at("/1/reasoning_content").asText()).isEqualTo("long thought");
        assertThat(replayed.at("/3/reasoning_content").asText()).isEqualTo("s1\n\ns2");
        assertThat(replayed.get(3).get("content").asText()).isEqualTo("A");
        assertThat(replayed.toString()).doesNotContain("opaque").doesNotContain("gAAAA");
        assertThat(translate(body).chat().toString()).doesNotContain("reasoning_content").doesNotContain("thought");
    }

    @Test
    void reasoningBeforeAUserMessageIsDroppedRatherThanAttachedToTheWrongTurn() {
        JsonNode m = translate("""
                {"model":"m","input":[{"type":"reasoning","summary":[{"type":"summary_text","text":"orphan"}]},
                 {"role":"user","content":"q"},{"role":"assistant","content":"A"}]}""",
                ResponsesOptions.local().withReplayReasoning(true), null).chat().get("messages");
        assertThat(m.toString()).doesNotContain("orphan");
    }

    @Test
    void previousResponseIdWithoutStoredItemsIsRefusedAsNotFound() {
        GatewayException e = rejection("""
                {"model":"m","previous_response_id":"resp_1","input":[{"type":"function_call_output","call_id":"c","output":"x"}]}""");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("previous_response_not_found");
        assertThat(e.param()).isEqualTo("previous_response_id");
        assertThat(e.getMessage()).contains("resp_1").contains("send the whole conversation");
    }

    @Test
    void theItemsOfThePreviousResponseComeBeforeTheInputAndItsInstructionsAreNotCarriedOver() {
        List<JsonNode> prior = List.of(json("{\"type\":\"message\",\"role\":\"user\",\"content\":\"q\"}"),
                json("{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"c\",\"name\":\"f\",\"arguments\":\"{}\"}"));
        JsonNode m = translate("""
                {"model":"m","previous_response_id":"resp_1","instructions":"now",
                 "input":[{"type":"function_call_output","call_id":"c","output":"x"}]}""", ResponsesOptions.local(),
                prior).chat().get("messages");
        assertThat(m).isEqualTo(json("""
                [{"role":"system","content":"now"},{"role":"user","content":"q"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"c","content":"x"}]"""));
    }

    @Test
    void anItemReferenceIsReplacedByTheItemItNamesOrRefusedWhenTheGatewayDoesNotHaveIt() {
        List<JsonNode> prior = List.of(json("{\"type\":\"message\",\"id\":\"msg_9\",\"role\":\"user\",\"content\":\"hello\"}"));
        JsonNode m = translate("""
                {"model":"m","input":[{"type":"item_reference","id":"msg_9"}]}""", ResponsesOptions.local(), prior)
                .chat().get("messages");
        assertThat(m.toString()).contains("hello");
        GatewayException e = rejection("""
                {"model":"m","input":[{"role":"user","content":"q"},{"type":"item_reference","id":"msg_404"}]}""");
        assertThat(e.param()).isEqualTo("input[1]");
        assertThat(e.getMessage()).contains("msg_404").contains("send the item itself");
    }

    @Test
    void anUnknownItemTypeIsRefusedAndHostedToolHistoryIsDroppedAndListed() {
        GatewayException e = rejection("""
                {"model":"m","input":[{"role":"user","content":"q"},{"type":"teleport_call","id":"x"}]}""");
        assertThat(e.param()).isEqualTo("input[1]");
        assertThat(e.getMessage()).contains("unknown input item type \"teleport_call\"");
        ResponsesRequest r = translate("""
                {"model":"m","input":[{"role":"user","content":"q"},
                 {"type":"web_search_call","id":"ws_1","status":"completed","action":{"type":"search","query":"x"}},
                 {"type":"compaction","id":"cmp_1","encrypted_content":"zz"}]}""");
        assertThat(r.droppedItems()).containsExactly("web_search_call", "compaction");
        assertThat(r.chat().get("messages")).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "conversation | {\"model\":\"m\",\"conversation\":\"conv_1\",\"input\":\"q\"}",
        "prompt       | {\"model\":\"m\",\"prompt\":{\"id\":\"pmpt_1\"},\"input\":\"q\"}",
        "background   | {\"model\":\"m\",\"background\":true,\"input\":\"q\"}"})
    void statefulFeaturesAreRefusedAsUnsupportedParameters(String param, String body) {
        GatewayException e = rejection(body);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).isEqualTo(param);
        assertThat(e.code()).isEqualTo("unsupported_parameter");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"model\":\"m\",\"input\":\"\"}",
        "{\"model\":\"m\",\"input\":[]}",
        "{\"model\":\"m\"}",
        "{\"model\":\"m\",\"instructions\":\"S\",\"input\":[{\"role\":\"developer\",\"content\":\"only rules\"}]}",
        "{\"model\":\"m\",\"input\":[{\"type\":\"web_search_call\",\"id\":\"ws\"}]}"})
    void anInputWithNothingToAnswerIsRefused(String body) {
        GatewayException e = rejection(body);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("input");
    }

    @Test
    void aMissingModelIsRefused() {
        assertThat(rejection("{\"input\":\"q\"}").param()).isEqualTo("model");
    }
}
