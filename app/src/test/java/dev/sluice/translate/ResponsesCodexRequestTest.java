package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import dev.sluice.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two requests Codex CLI 0.169.0 sent for one turn (fixtures/codex, recorded from the real client) become
 * valid chat requests: responses-api.md §1.
 */
class ResponsesCodexRequestTest {
    private static final List<String> FUNCTIONS = List.of("exec_command", "write_stdin", "request_user_input",
            "view_image", "multi_agent_v1__close_agent", "multi_agent_v1__resume_agent", "multi_agent_v1__send_input",
            "multi_agent_v1__spawn_agent", "multi_agent_v1__wait_agent", "get_goal", "create_goal", "update_goal");

    static ObjectNode body(String fixture) {
        return (ObjectNode) Json.tryParse(Fixtures.text("codex/" + fixture)).get("body");
    }

    static ResponsesRequest translate(String fixture) {
        return ResponsesToOpenAiRequest.translate(body(fixture), null, ResponsesOptions.local(), "Qwen/Qwen3-8B");
    }

    @ParameterizedTest
    @ValueSource(strings = {"codex-0.169.0-turn-request-1.json", "codex-0.169.0-turn-request-2.json"})
    void bothTurnsBecomeAStreamedChatRequestWithEveryClientToolUnderAChatName(String fixture) {
        ResponsesRequest r = translate(fixture);
        JsonNode chat = r.chat();
        assertThat(chat.get("model").asText()).isEqualTo("Qwen/Qwen3-8B");
        assertThat(chat.get("stream").asBoolean()).isTrue();
        assertThat(chat.at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(chat.get("tool_choice").asText()).isEqualTo("auto");
        assertThat(chat.get("parallel_tool_calls").asBoolean()).isTrue();
        List<String> names = new ArrayList<>();
        for (JsonNode t : chat.get("tools")) {
            assertThat(t.get("type").asText()).isEqualTo("function");
            assertThat(t.at("/function/parameters/type").asText()).isEqualTo("object");
            names.add(t.at("/function/name").asText());
        }
        assertThat(names).containsExactlyElementsOf(FUNCTIONS);
        assertThat(r.tool("multi_agent_v1__spawn_agent"))
                .isEqualTo(new ResponsesToolRef(ResponsesToolRef.Kind.FUNCTION, "multi_agent_v1", "spawn_agent"));
        assertThat(r.droppedTools()).containsExactly("web_search");
        assertThat(r.reasoningSummary()).as("Codex asks for reasoning summaries").isTrue();
        assertThat(r.promptCacheKey()).isEqualTo(body(fixture).get("prompt_cache_key").asText());
        // Codex's own bookkeeping and OpenAI-only fields stay out of the chat request
        assertThat(chat.has("client_metadata")).isFalse();
        assertThat(chat.has("include")).isFalse();
        assertThat(chat.has("store")).isFalse();
        assertThat(chat.has("reasoning")).isFalse();
        assertThat(chat.has("reasoning_effort")).as("Codex sent no effort").isFalse();
    }

    @Test
    void theTwoDeveloperMessagesBecomeOneSystemMessageAndTheUserMessagesFollow() {
        JsonNode m = translate("codex-0.169.0-turn-request-1.json").chat().get("messages");
        assertThat(m).hasSize(3);
        assertThat(m.get(0).get("role").asText()).isEqualTo("system");
        JsonNode input = body("codex-0.169.0-turn-request-1.json").get("input");
        String systemPrompt = input.at("/0/content/0/text").asText();
        assertThat(m.get(0).get("content").asText()).startsWith(systemPrompt + "\n\n")
                .contains(input.at("/1/content/0/text").asText());
        assertThat(m.get(1).get("role").asText()).isEqualTo("user");
        assertThat(m.get(1).get("content").asText()).contains("<environment_context>");
        assertThat(m.get(2)).isEqualTo(Json.object().put("role", "user").put("content", "run-bash: echo hello-codex-43"));
    }

    @Test
    void theSecondTurnCarriesTheCallTheGatewayMintedAndItsOutput() {
        JsonNode m = translate("codex-0.169.0-turn-request-2.json").chat().get("messages");
        assertThat(m).hasSize(5);
        assertThat(m.get(3)).isEqualTo(ResponsesToOpenAiRequestTest.json("""
                {"role":"assistant","content":null,"tool_calls":[{"id":"call_hns9eg4neo","type":"function",
                 "function":{"name":"exec_command","arguments":"{\\"cmd\\":\\"echo hello-codex-43\\"}"}}]}"""));
        assertThat(m.get(4).get("role").asText()).isEqualTo("tool");
        assertThat(m.get(4).get("tool_call_id").asText()).isEqualTo("call_hns9eg4neo");
        assertThat(m.get(4).get("content").asText()).contains("hello-codex-43").startsWith("Chunk ID:");
    }

    @Test
    void theEchoGivesCodexItsToolsBackAndStoreFalse() {
        ResponsesRequest r = translate("codex-0.169.0-turn-request-1.json");
        assertThat(r.echo().get("tools")).isEqualTo(body("codex-0.169.0-turn-request-1.json").get("tools"));
        assertThat(r.echo().get("store").asBoolean()).isFalse();
        assertThat(r.echo().get("model").asText()).isEqualTo("qwen");
    }
}
