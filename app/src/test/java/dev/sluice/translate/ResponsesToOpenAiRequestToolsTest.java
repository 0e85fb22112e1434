package dev.sluice.translate;

import static dev.sluice.translate.ResponsesToOpenAiRequestTest.json;
import static dev.sluice.translate.ResponsesToOpenAiRequestTest.rejection;
import static dev.sluice.translate.ResponsesToOpenAiRequestTest.translate;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.error.GatewayException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Responses tools and tool_choice → chat (responses-api.md §2.5, §2.6). */
class ResponsesToOpenAiRequestToolsTest {
    private static final String TOOLS = """
            [{"type":"function","name":"exec_command","description":"Run","strict":false,
              "parameters":{"type":"object","properties":{"cmd":{"type":"string"}},"required":["cmd"]}},
             {"type":"function","name":"get_goal","parameters":null},
             {"type":"namespace","name":"multi_agent_v1","description":"Sub-agents","tools":[
               {"type":"function","name":"spawn_agent","description":"Spawn","parameters":{"type":"object","properties":{}}},
               {"type":"function","name":"wait_agent","parameters":{"type":"object","properties":{}}}]},
             {"type":"custom","name":"apply_patch","description":"Edit files",
              "format":{"type":"grammar","syntax":"lark","definition":"start: patch"}},
             {"type":"web_search","external_web_access":false},
             {"type":"local_shell"}]""";

    private static ResponsesRequest withTools(String toolChoice, ResponsesOptions options) {
        return translate("{\"model\":\"m\",\"input\":\"q\",\"parallel_tool_calls\":true,\"tools\":" + TOOLS
                + (toolChoice == null ? "" : ",\"tool_choice\":" + toolChoice) + "}", options, null);
    }

    private static ResponsesRequest withTools(String toolChoice) {
        return withTools(toolChoice, ResponsesOptions.local());
    }

    private static GatewayException choiceRejection(String toolChoice) {
        return rejection("{\"model\":\"m\",\"input\":\"q\",\"tools\":" + TOOLS + ",\"tool_choice\":" + toolChoice + "}");
    }

    @Test
    void functionToolsAreNestedUnderFunctionWithAnEmptySchemaForNullParameters() {
        JsonNode tools = withTools(null).chat().get("tools");
        assertThat(tools.get(0)).isEqualTo(json("""
                {"type":"function","function":{"name":"exec_command","description":"Run",
                 "parameters":{"type":"object","properties":{"cmd":{"type":"string"}},"required":["cmd"]},"strict":false}}"""));
        assertThat(tools.get(1)).isEqualTo(json("""
                {"type":"function","function":{"name":"get_goal","parameters":{"type":"object","properties":{}}}}"""));
    }

    @Test
    void strictIsLeftOutForRuntimesThatDoNotTakeIt() {
        ResponsesOptions noStrict = new ResponsesOptions(false, ResponsesOptions.MaxTokensField.MAX_TOKENS, true, true,
                false, false, false, false, false, true);
        assertThat(withTools(null, noStrict).chat().at("/tools/0/function").has("strict")).isFalse();
    }

    @Test
    void namespaceMembersAreFlattenedToNamespaceUnderscoreNameAndRecordedForTheResponseSide() {
        ResponsesRequest r = withTools(null);
        assertThat(r.chat().at("/tools/2")).isEqualTo(json("""
                {"type":"function","function":{"name":"multi_agent_v1__spawn_agent","description":"Spawn",
                 "parameters":{"type":"object","properties":{}}}}"""));
        assertThat(r.tool("multi_agent_v1__wait_agent"))
                .isEqualTo(new ResponsesToolRef(ResponsesToolRef.Kind.FUNCTION, "multi_agent_v1", "wait_agent"));
        assertThat(r.tool("exec_command")).isEqualTo(new ResponsesToolRef(ResponsesToolRef.Kind.FUNCTION, null,
                "exec_command"));
    }

    @Test
    void aCustomToolBecomesAFunctionOfOneInputStringWithItsGrammarInTheDescription() {
        ResponsesRequest r = withTools(null);
        assertThat(r.chat().at("/tools/4")).isEqualTo(json("""
                {"type":"function","function":{"name":"apply_patch",
                 "description":"Edit files\\n\\nFormat:\\n```lark\\nstart: patch\\n```",
                 "parameters":{"type":"object","properties":{"input":{"type":"string",
                   "description":"The raw input for the tool, as plain text (not JSON)."}},
                   "required":["input"],"additionalProperties":false}}}"""));
        assertThat(r.tool("apply_patch").kind()).isEqualTo(ResponsesToolRef.Kind.CUSTOM);
    }

    @Test
    void hostedToolsAreDroppedAndListedForTheResponseHeader() {
        ResponsesRequest r = withTools(null);
        assertThat(r.chat().get("tools")).hasSize(5);
        assertThat(r.chat().toString()).doesNotContain("web_search").doesNotContain("local_shell");
        assertThat(r.droppedTools()).containsExactly("web_search", "local_shell");
        assertThat(r.chat().get("parallel_tool_calls").asBoolean()).isTrue();
    }

    @Test
    void namesOutsideTheChatAlphabetOrLongerThan64AreShortenedAndStillRestored() {
        String longName = "search_the_company_knowledge_base_for_documents_matching_a_query_within_dates";
        ResponsesRequest r = translate("""
                {"model":"m","input":"q","tools":[{"type":"namespace","name":"mcp.server","tools":[
                  {"type":"function","name":"%s","parameters":{}}]}]}""".formatted(longName));
        String chatName = r.chat().at("/tools/0/function/name").asText();
        assertThat(chatName).matches("^[A-Za-z0-9_-]{1,64}$").startsWith("mcp_server__search_the");
        assertThat(r.tool(chatName)).isEqualTo(new ResponsesToolRef(ResponsesToolRef.Kind.FUNCTION, "mcp.server",
                longName));
        assertThat(ResponsesTools.chatName("mcp.server", longName)).isEqualTo(chatName);
    }

    @Test
    void twoToolsThatWouldShareAChatNameAreRefused() {
        GatewayException e = rejection("""
                {"model":"m","input":"q","tools":[{"type":"function","name":"a__b"},
                 {"type":"namespace","name":"a","tools":[{"type":"function","name":"b"}]}]}""");
        assertThat(e.param()).isEqualTo("tools");
        assertThat(e.getMessage()).contains("a__b").contains("a.b").contains("rename");
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
        "\"auto\"                                  | \"auto\"",
        "\"none\"                                  | \"none\"",
        "\"required\"                              | \"required\"",
        "{\"type\":\"function\",\"name\":\"exec_command\"} | {\"type\":\"function\",\"function\":{\"name\":\"exec_command\"}}",
        "{\"type\":\"function\",\"name\":\"spawn_agent\"}  | {\"type\":\"function\",\"function\":{\"name\":\"multi_agent_v1__spawn_agent\"}}",
        "{\"type\":\"custom\",\"name\":\"apply_patch\"}    | {\"type\":\"function\",\"function\":{\"name\":\"apply_patch\"}}"})
    void toolChoiceMapsToTheChatForm(String responses, String chat) {
        assertThat(withTools(responses).chat().get("tool_choice")).isEqualTo(json(chat));
    }

    @Test
    void allowedToolsOffersOnlyTheListedToolsWithItsMode() {
        JsonNode chat = withTools("""
                {"type":"allowed_tools","mode":"required","tools":[{"type":"function","name":"get_goal"},
                 {"type":"namespace","name":"multi_agent_v1"},{"type":"web_search"}]}""").chat();
        assertThat(chat.get("tool_choice").asText()).isEqualTo("required");
        assertThat(chat.get("tools")).extracting(t -> t.at("/function/name").asText())
                .containsExactly("get_goal", "multi_agent_v1__spawn_agent", "multi_agent_v1__wait_agent");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"web_search_preview\"}", "{\"type\":\"file_search\"}",
        "{\"type\":\"mcp\",\"server_label\":\"x\"}", "{\"type\":\"code_interpreter\"}", "{\"type\":\"apply_patch\"}"})
    void aToolChoiceThatRequiresAHostedToolIsRefused(String toolChoice) {
        GatewayException e = choiceRejection(toolChoice);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("tool_choice");
        assertThat(e.getMessage()).contains("cannot call");
    }

    @Test
    void requiredWithOnlyHostedToolsIsRefusedNamingThem() {
        GatewayException e = rejection("""
                {"model":"m","input":"q","tools":[{"type":"web_search"}],"tool_choice":"required"}""");
        assertThat(e.param()).isEqualTo("tool_choice");
        assertThat(e.getMessage()).contains("web_search");
        GatewayException allowed = choiceRejection("""
                {"type":"allowed_tools","mode":"required","tools":[{"type":"web_search"}]}""");
        assertThat(allowed.param()).isEqualTo("tool_choice");
    }

    @Test
    void aNamedToolChoiceForAToolThatIsNotOfferedIsRefused() {
        assertThat(choiceRejection("{\"type\":\"function\",\"name\":\"nope\"}").getMessage()).contains("'nope'");
        assertThat(choiceRejection("\"sometimes\"").param()).isEqualTo("tool_choice");
    }

    @Test
    void aRuntimeWithoutToolChoiceGetsNoToolChoiceAndNoToolsForNone() {
        ResponsesOptions noChoice = ResponsesOptions.local().withToolChoice(false);
        assertThat(withTools("\"required\"", noChoice).chat().has("tool_choice")).isFalse();
        assertThat(withTools("\"required\"", noChoice).chat().get("tools")).hasSize(5);
        JsonNode none = withTools("\"none\"", noChoice).chat();
        assertThat(none.has("tools")).isFalse();
        assertThat(none.has("tool_choice")).isFalse();
        assertThat(none.has("parallel_tool_calls")).as("OpenAI refuses it without tools").isFalse();
    }

    @Test
    void withoutFunctionToolsNeitherToolChoiceNorParallelToolCallsIsSent() {
        JsonNode chat = translate("""
                {"model":"m","input":"q","tools":[{"type":"web_search"}],"tool_choice":"auto","parallel_tool_calls":false}""")
                .chat();
        assertThat(chat.has("tools")).isFalse();
        assertThat(chat.has("tool_choice")).isFalse();
        assertThat(chat.has("parallel_tool_calls")).isFalse();
    }
}
