package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import org.junit.jupiter.api.Test;

/** OpenAI chat request → real Anthropic Messages request (protocols.md §3.3, §5.6 rows 45–49). */
class OpenAiToAnthropicRequestTest {

    static OpenAiToAnthropicRequest.Prepared translate(String json) {
        return OpenAiToAnthropicRequest.translate((ObjectNode) Json.tryParse(json), "claude-sonnet-4-5", "client");
    }

    static JsonNode body(String json) {
        return translate(json).body();
    }

    @Test
    void edge45_anEmptyAssistantTextBesideToolCallsIsNotSent() {
        JsonNode b = body("""
                {"model":"m","messages":[
                  {"role":"user","content":"weather?"},
                  {"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function",
                    "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"sunny"}]}
                """);
        JsonNode assistant = b.at("/messages/1");
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        assertThat(assistant.path("content")).hasSize(1);
        JsonNode use = assistant.path("content").get(0);
        assertThat(use.path("type").asText()).isEqualTo("tool_use");
        assertThat(use.path("id").asText()).isEqualTo("call_1");
        assertThat(use.path("name").asText()).isEqualTo("get_weather");
        assertThat(use.path("input")).isEqualTo(Json.tryParse("{\"city\":\"Paris\"}"));
        assertThat(b.toString()).doesNotContain("\"text\":\"\"");
    }

    @Test
    void edge46_reasoningContentInHistoryIsDropped() {
        JsonNode b = body("""
                {"model":"m","messages":[
                  {"role":"user","content":"hi"},
                  {"role":"assistant","content":"hello","reasoning_content":"the user greets me"},
                  {"role":"user","content":"again"}]}
                """);
        assertThat(b.toString()).doesNotContain("the user greets me").doesNotContain("thinking");
        assertThat(b.at("/messages/1/content")).isEqualTo(Json.tryParse("[{\"type\":\"text\",\"text\":\"hello\"}]"));
    }

    @Test
    void edge47_consecutiveToolMessagesThenUserBecomeOneUserMessage() {
        JsonNode b = body("""
                {"model":"m","messages":[
                  {"role":"user","content":"go"},
                  {"role":"assistant","content":null,"tool_calls":[
                    {"id":"a","type":"function","function":{"name":"f","arguments":"{}"}},
                    {"id":"b","type":"function","function":{"name":"f","arguments":"{}"}},
                    {"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"a","content":"1"},
                  {"role":"tool","tool_call_id":"b","content":"2"},
                  {"role":"tool","tool_call_id":"c","content":[{"type":"text","text":"3"}]},
                  {"role":"user","content":"now summarise"}]}
                """);
        assertThat(b.path("messages")).hasSize(3);
        JsonNode user = b.at("/messages/2");
        assertThat(user.path("role").asText()).isEqualTo("user");
        assertThat(user.path("content")).hasSize(4);
        for (int i = 0; i < 3; i++) {
            assertThat(user.path("content").get(i).path("type").asText()).isEqualTo("tool_result");
            assertThat(user.path("content").get(i).path("tool_use_id").asText()).isEqualTo(String.valueOf((char) ('a' + i)));
            assertThat(user.path("content").get(i).path("content").asText()).isEqualTo(String.valueOf(i + 1));
        }
        assertThat(user.path("content").get(3)).isEqualTo(Json.tryParse("{\"type\":\"text\",\"text\":\"now summarise\"}"));
    }

    @Test
    void edge48_temperatureIsClampedMaxTokensDefaultsAndStopBecomesStopSequences() {
        JsonNode b = body("""
                {"model":"m","temperature":1.5,"stop":"END","messages":[{"role":"user","content":"hi"}]}
                """);
        assertThat(b.path("temperature").asDouble()).isEqualTo(1.0);
        assertThat(b.path("max_tokens").asLong()).isEqualTo(OpenAiToAnthropicRequest.DEFAULT_MAX_TOKENS);
        assertThat(b.path("stop_sequences")).isEqualTo(Json.tryParse("[\"END\"]"));
        assertThat(b.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(b.has("stop")).isFalse();
    }

    @Test
    void maxCompletionTokensWinsOverMaxTokens() {
        assertThat(body("{\"max_completion_tokens\":10,\"max_tokens\":20,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}").path("max_tokens").asLong()).isEqualTo(10);
        assertThat(body("{\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .path("max_tokens").asLong()).isEqualTo(20);
    }

    @Test
    void edge49_systemAndDeveloperMessagesAreJoinedAndEmptyOnesDropped() {
        JsonNode b = body("""
                {"model":"m","messages":[
                  {"role":"system","content":"You are terse."},
                  {"role":"developer","content":"   "},
                  {"role":"user","content":"hi"},
                  {"role":"developer","content":[{"type":"text","text":"Answer in French."}]}]}
                """);
        assertThat(b.path("system").asText()).isEqualTo("You are terse.\n\nAnswer in French.");
        assertThat(b.path("messages")).hasSize(1);
    }

    @Test
    void imagesBecomeBase64OrUrlSources() {
        JsonNode b = body("""
                {"messages":[{"role":"user","content":[
                  {"type":"text","text":"what is this?"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}]}
                """);
        JsonNode c = b.at("/messages/0/content");
        assertThat(c.get(1)).isEqualTo(Json.tryParse("""
                {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}"""));
        assertThat(c.get(2)).isEqualTo(Json.tryParse("""
                {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}"""));
        assertThatThrownBy(() -> body("""
                {"messages":[{"role":"user","content":[
                  {"type":"image_url","image_url":{"url":"data:image/tiff;base64,AAAA"}}]}]}"""))
                .isInstanceOf(GatewayException.class);
    }

    @Test
    void toolsAndToolChoiceMapIncludingParallelToolCallsFalse() {
        JsonNode b = body("""
                {"messages":[{"role":"user","content":"hi"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather",
                   "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},
                   {"type":"function","function":{"name":"noargs"}}],
                 "tool_choice":"required","parallel_tool_calls":false}
                """);
        assertThat(b.at("/tools/0")).isEqualTo(Json.tryParse("""
                {"name":"get_weather","description":"Weather",
                 "input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}"""));
        assertThat(b.at("/tools/1/input_schema")).isEqualTo(Json.tryParse("{\"type\":\"object\",\"properties\":{}}"));
        assertThat(b.path("tool_choice")).isEqualTo(Json.tryParse(
                "{\"type\":\"any\",\"disable_parallel_tool_use\":true}"));

        JsonNode named = body("""
                {"messages":[{"role":"user","content":"hi"}],
                 "tools":[{"type":"function","function":{"name":"f"}}],
                 "tool_choice":{"type":"function","function":{"name":"f"}}}""");
        assertThat(named.path("tool_choice")).isEqualTo(Json.tryParse("{\"type\":\"tool\",\"name\":\"f\"}"));

        JsonNode implicit = body("""
                {"messages":[{"role":"user","content":"hi"}],
                 "tools":[{"type":"function","function":{"name":"f"}}],"parallel_tool_calls":false}""");
        assertThat(implicit.path("tool_choice")).isEqualTo(Json.tryParse(
                "{\"type\":\"auto\",\"disable_parallel_tool_use\":true}"));
        assertThat(body("""
                {"messages":[{"role":"user","content":"hi"}],
                 "tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"none"}""")
                .path("tool_choice")).isEqualTo(Json.tryParse("{\"type\":\"none\"}"));
    }

    @Test
    void invalidToolIdsAreMappedTheSameWayInToolUseAndToolResult() {
        JsonNode b = body("""
                {"messages":[{"role":"user","content":"go"},
                  {"role":"assistant","tool_calls":[{"id":"functions.Bash:0","type":"function",
                    "function":{"name":"Bash","arguments":"not json"}}]},
                  {"role":"tool","tool_call_id":"functions.Bash:0","content":"ok"}]}""");
        String id = b.at("/messages/1/content/0/id").asText();
        assertThat(id).matches("^[a-zA-Z0-9_-]+$");
        assertThat(b.at("/messages/2/content/0/tool_use_id").asText()).isEqualTo(id);
        assertThat(b.at("/messages/1/content/0/input")).isEqualTo(Json.object());
    }

    @Test
    void nGreaterThanOneIsA400() {
        assertThatThrownBy(() -> body("{\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
                    assertThat(e.status()).isEqualTo(400);
                });
    }

    @Test
    void responseFormatUserStreamAndUnknownFields() {
        var p = translate("""
                {"messages":[{"role":"user","content":"hi"}],"stream":true,
                 "stream_options":{"include_usage":true},"user":"u-42","seed":7,
                 "frequency_penalty":0.5,"top_p":0.9,
                 "response_format":{"type":"json_schema","json_schema":{"name":"x",
                   "schema":{"type":"object","properties":{"a":{"type":"string"}}}}}}""");
        JsonNode b = p.body();
        assertThat(p.stream()).isTrue();
        assertThat(p.clientWantsUsage()).isTrue();
        assertThat(b.path("stream").asBoolean()).isTrue();
        assertThat(b.at("/metadata/user_id").asText()).isEqualTo("u-42");
        assertThat(b.at("/output_config/format/type").asText()).isEqualTo("json_schema");
        assertThat(b.at("/output_config/format/schema/properties/a/type").asText()).isEqualTo("string");
        assertThat(b.path("top_p").asDouble()).isEqualTo(0.9);
        for (String gone : new String[] {"seed", "logprobs", "frequency_penalty", "stream_options", "user",
                "response_format", "n"}) {
            assertThat(b.has(gone)).as(gone).isFalse();
        }
    }

    @Test
    void anAssistantFirstConversationGetsAUserTurnBeforeIt() {
        JsonNode b = body("{\"messages\":[{\"role\":\"assistant\",\"content\":\"Hi!\"},"
                + "{\"role\":\"user\",\"content\":\"hello\"}]}");
        assertThat(b.at("/messages/0/role").asText()).isEqualTo("user");
        assertThat(b.at("/messages/1/role").asText()).isEqualTo("assistant");
    }
}
