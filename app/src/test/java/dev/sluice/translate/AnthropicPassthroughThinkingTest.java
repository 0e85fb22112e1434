package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own unsigned thinking blocks (made for local models) on their way to the real Anthropic API,
 * which rejects them with 400 "Invalid signature in thinking block" (issue 12 defect 3, protocols.md §0 rule 8).
 */
class AnthropicPassthroughThinkingTest {
    private static JsonNode prepare(String json) {
        return Json.tryParse(AnthropicPassthrough.prepare((ObjectNode) Json.tryParse(json), "claude-sonnet-4-5",
                "claude").body());
    }

    @Test
    void defect3_unsignedThinkingBlocksNeverReachTheRealApi() {
        JsonNode sent = prepare("""
                {"model":"claude","max_tokens":100,"messages":[
                  {"role":"user","content":"2+2?"},
                  {"role":"assistant","content":[
                    {"type":"thinking","thinking":"made by a local model","signature":""},
                    {"type":"text","text":"4"}]},
                  {"role":"user","content":"And times 3?"}]}""");

        assertThat(sent.toString()).doesNotContain("made by a local model");
        assertThat(sent.at("/messages/1/content")).hasSize(1);
        assertThat(sent.at("/messages/1/content/0/text").asText()).isEqualTo("4");
        assertThat(sent.path("model").asText()).isEqualTo("claude-sonnet-4-5");
    }

    @Test
    void defect3_signedThinkingAndRedactedThinkingPassUntouched() {
        JsonNode sent = prepare("""
                {"model":"claude","max_tokens":100,"messages":[
                  {"role":"user","content":"2+2?"},
                  {"role":"assistant","content":[
                    {"type":"thinking","thinking":"Simple.","signature":"EqQBCkYIBxgCKkA"},
                    {"type":"redacted_thinking","data":"EmwKAhgBEgy"},
                    {"type":"text","text":"4"}]},
                  {"role":"user","content":"And times 3?"}]}""");

        assertThat(sent.at("/messages/1/content")).hasSize(3);
        assertThat(sent.at("/messages/1/content/0/signature").asText()).isEqualTo("EqQBCkYIBxgCKkA");
    }

    @Test
    void defect3_anAssistantTurnOfOnlyUnsignedThinkingIsLeftOut() {
        JsonNode sent = prepare("""
                {"model":"claude","max_tokens":100,"messages":[
                  {"role":"user","content":"Think about it."},
                  {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":""}]},
                  {"role":"user","content":"Well?"}]}""");

        assertThat(sent.path("messages")).hasSize(2);
        assertThat(sent.toString()).doesNotContain("hmm");
    }

    @Test
    void defect3_aToolTurnThatLostItsThinkingSwitchesThinkingOff() {
        // with thinking on, the API wants the tool-use turn being answered to start with a signed thinking block
        JsonNode sent = prepare("""
                {"model":"claude","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":1024},
                 "messages":[
                  {"role":"user","content":"Weather?"},
                  {"role":"assistant","content":[
                    {"type":"thinking","thinking":"call the tool","signature":""},
                    {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18C"}]}]}""");

        assertThat(sent.has("thinking")).isFalse();
        assertThat(sent.at("/messages/1/content/0/type").asText()).isEqualTo("tool_use");
    }

    @Test
    void aRequestWithoutThinkingIsSentAsTheClientWroteIt() {
        String json = """
                {"model":"claude","max_tokens":100,"thinking":{"type":"enabled","budget_tokens":1024},
                 "messages":[{"role":"user","content":"hi"}]}""";
        JsonNode sent = prepare(json);
        ObjectNode expected = (ObjectNode) Json.tryParse(json);
        expected.put("model", "claude-sonnet-4-5");
        assertThat(sent).isEqualTo(expected);
    }
}
