package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletion;
import dev.sluice.protocol.Json;
import dev.sluice.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Real recorded Anthropic responses → OpenAI chat completions (protocols.md §3.4, §3.5). */
class AnthropicToOpenAiResponseTest {
    static final OpenAiToAnthropicRequest.Prepared REQUEST =
            new OpenAiToAnthropicRequest.Prepared(Json.object(), false, "my-claude", false);

    static JsonNode translate(String fixture) {
        return AnthropicToOpenAiResponse.translate(Fixtures.bytes(fixture), REQUEST);
    }

    @Test
    void textResponse() throws Exception {
        JsonNode c = translate("anthropic/messages-text.json");
        JsonNode m = Json.tryParse(Fixtures.bytes("anthropic/messages-text.json"));
        assertThat(c.path("id").asText()).isEqualTo("chatcmpl-" + m.path("id").asText().substring(4));
        assertThat(c.path("object").asText()).isEqualTo("chat.completion");
        assertThat(c.path("model").asText()).isEqualTo("my-claude");
        assertThat(c.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(c.at("/choices/0/message/content").asText()).isEqualTo(m.at("/content/0/text").asText());
        assertThat(c.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(c.at("/choices/0/message").has("tool_calls")).isFalse();
        // the official SDK reads it
        ChatCompletion parsed = ObjectMappers.jsonMapper().readValue(Json.string(c), ChatCompletion.class);
        assertThat(parsed.choices().get(0).message().content()).hasValue(m.at("/content/0/text").asText());
    }

    @Test
    void toolUseBecomesToolCallsWithStringifiedInput() throws Exception {
        JsonNode c = translate("anthropic/messages-tool-use.json");
        assertThat(c.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(c.at("/choices/0/message/content").asText()).startsWith("I'll use the test_tool");
        JsonNode call = c.at("/choices/0/message/tool_calls/0");
        assertThat(call.path("id").asText()).isEqualTo("toolu_01Ff6oGJapCYgEPy4WkqkoMJ");
        assertThat(call.path("type").asText()).isEqualTo("function");
        assertThat(call.at("/function/name").asText()).isEqualTo("test_tool");
        assertThat(Json.tryParse(call.at("/function/arguments").asText()))
                .isEqualTo(Json.tryParse("{\"value\":\"test\"}"));
        ChatCompletion parsed = ObjectMappers.jsonMapper().readValue(Json.string(c), ChatCompletion.class);
        assertThat(parsed.choices().get(0).message().toolCalls().get()).hasSize(1);
    }

    @Test
    void parallelToolUseKeepsEveryCall() {
        JsonNode c = translate("anthropic/messages-parallel-tool-use.json");
        JsonNode m = Json.tryParse(Fixtures.bytes("anthropic/messages-parallel-tool-use.json"));
        long uses = 0;
        for (JsonNode b : m.path("content")) {
            if ("tool_use".equals(b.path("type").asText())) {
                uses++;
            }
        }
        assertThat(uses).isGreaterThan(1);
        assertThat(c.at("/choices/0/message/tool_calls")).hasSize((int) uses);
    }

    @Test
    void thinkingBecomesReasoningContentAndSignaturesAreDropped() {
        JsonNode c = translate("anthropic/messages-thinking-tool-use.json");
        assertThat(c.at("/choices/0/message/reasoning_content").asText()).isNotEmpty();
        assertThat(c.toString()).doesNotContain("signature");
    }

    @Test
    void usagePromptTokensIncludeCacheReadsAndWrites() {
        String body = """
                {"id":"msg_abc","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[],"stop_reason":"max_tokens","stop_sequence":null,
                 "usage":{"input_tokens":10,"cache_read_input_tokens":100,"cache_creation_input_tokens":5,
                  "output_tokens":7}}""";
        JsonNode c = AnthropicToOpenAiResponse.translate(body.getBytes(StandardCharsets.UTF_8), REQUEST);
        assertThat(c.at("/usage/prompt_tokens").asLong()).isEqualTo(115);
        assertThat(c.at("/usage/completion_tokens").asLong()).isEqualTo(7);
        assertThat(c.at("/usage/total_tokens").asLong()).isEqualTo(122);
        assertThat(c.at("/usage/prompt_tokens_details/cached_tokens").asLong()).isEqualTo(100);
        assertThat(c.at("/choices/0/message/content").isNull()).isTrue();
        assertThat(c.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(c.path("id").asText()).isEqualTo("chatcmpl-abc");
    }

    @Test
    void stopReasonTable() {
        assertThat(AnthropicToOpenAiResponse.finishReason("end_turn")).isEqualTo("stop");
        assertThat(AnthropicToOpenAiResponse.finishReason("stop_sequence")).isEqualTo("stop");
        assertThat(AnthropicToOpenAiResponse.finishReason("max_tokens")).isEqualTo("length");
        assertThat(AnthropicToOpenAiResponse.finishReason("tool_use")).isEqualTo("tool_calls");
        assertThat(AnthropicToOpenAiResponse.finishReason("refusal")).isEqualTo("content_filter");
        assertThat(AnthropicToOpenAiResponse.finishReason("pause_turn")).isEqualTo("stop");
        assertThat(AnthropicToOpenAiResponse.finishReason("model_context_window_exceeded")).isEqualTo("length");
    }
}
