package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.BackendKind;
import dev.sluice.backend.BackendProfile;
import dev.sluice.backend.Provider;
import dev.sluice.endpoint.Capabilities;
import dev.sluice.protocol.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Anthropic Messages requests toward runtimes that differ, with the difference read from the deployment's
 * profile: OpenAI's own API (issue 12 defect 1), templates that want earlier reasoning back, prefill, effort.
 */
class AnthropicToOpenAiRequestProfilesTest {
    /** What Claude Code sends: max_tokens, thinking, top_k, several stop sequences, temperature. */
    private static final String CLAUDE_CODE = """
            {"model":"claude-sonnet-4-5","max_tokens":32000,"temperature":1,"top_k":40,"top_p":0.99,
             "thinking":{"type":"enabled","budget_tokens":31999},
             "stop_sequences":["</a>","</b>","</c>","</d>","</e>","</f>"],
             "messages":[{"role":"user","content":"List the files."}]}""";

    static JsonNode translate(BackendProfile profile, String upstreamModel, String json) {
        ObjectNode body = (ObjectNode) Json.tryParse(json);
        return AnthropicToOpenAiRequest.translate(body, Capabilities.of(profile), upstreamModel,
                body.path("model").asText()).openAi();
    }

    static AnthropicRequest request(BackendProfile profile, String json) {
        ObjectNode body = (ObjectNode) Json.tryParse(json);
        return AnthropicToOpenAiRequest.translate(body, Capabilities.of(profile), "served-model",
                body.path("model").asText());
    }

    // --- defect 1: an Anthropic client in front of OpenAI's own API ---

    @ParameterizedTest(name = "{0} via {1}")
    @CsvSource({"gpt-5-mini, openai", "o3, openai", "o4-mini, openai", "prod-o3-mini, azure", "my-gpt-5, azure"})
    void defect1_anthropicClientToOpenAiReasoningModelSendsMaxCompletionTokensAndNothingItRejects(String model,
            String provider) {
        JsonNode out = translate(BackendProfile.of(Provider.parse(provider)), model, CLAUDE_CODE);

        assertThat(out.has("max_tokens")).as("OpenAI's reasoning models answer 400 to max_tokens").isFalse();
        assertThat(out.path("max_completion_tokens").asInt()).isEqualTo(32000);
        assertThat(out.has("top_k")).as("not an OpenAI parameter").isFalse();
        assertThat(out.has("temperature")).as("reasoning models take only the default").isFalse();
        assertThat(out.has("top_p")).isFalse();
        assertThat(out.path("stop")).as("OpenAI takes at most 4 stop sequences").hasSize(4);
        assertThat(out.path("reasoning_effort").asText()).isEqualTo("high");
        assertThat(out.has("chat_template_kwargs")).isFalse();
    }

    @Test
    void defect1_anthropicClientToOpenAiNonReasoningModelGetsNoReasoningEffort() {
        JsonNode out = translate(BackendProfile.of(Provider.OPENAI), "gpt-4o", CLAUDE_CODE);

        assertThat(out.has("reasoning_effort")).as("gpt-4o answers 400 to reasoning_effort").isFalse();
        assertThat(out.has("max_tokens")).isFalse();
        assertThat(out.path("max_completion_tokens").asInt()).isEqualTo(32000);
        assertThat(out.path("temperature").asInt()).isEqualTo(1);
        assertThat(out.path("top_p").asDouble()).isEqualTo(0.99);
        assertThat(out.has("top_k")).isFalse();
        assertThat(out.path("stop")).hasSize(4);
    }

    @Test
    void defect1_theReportedStopSequencesAreTheOnesSent() {
        AnthropicRequest r = request(BackendProfile.of(Provider.OPENAI), CLAUDE_CODE);

        assertThat(r.stopSequences()).containsExactly("</a>", "</b>", "</c>", "</d>");
    }

    @Test
    void defect1_localRuntimesAndOtherHostedApisKeepMaxTokensTopKAndEveryStopSequence() {
        for (BackendProfile p : new BackendProfile[] {BackendProfile.of(BackendKind.VLLM),
                BackendProfile.of(Provider.GROQ), BackendProfile.of(BackendKind.LLAMACPP)}) {
            JsonNode out = translate(p, "gpt-5-mini", CLAUDE_CODE);
            assertThat(out.path("max_tokens").asInt()).as(p.kind().id()).isEqualTo(32000);
            assertThat(out.has("max_completion_tokens")).as(p.kind().id()).isFalse();
            assertThat(out.path("top_k").asInt()).as(p.kind().id()).isEqualTo(40);
            assertThat(out.path("stop")).as(p.kind().id()).hasSize(6);
            assertThat(out.path("temperature").asInt()).as(p.kind().id()).isEqualTo(1);
        }
    }

    @Test
    void defect1_theOpenAiProfileSaysItAsData() {
        BackendProfile p = BackendProfile.of(Provider.OPENAI);
        assertThat(p.tokenField().field()).isEqualTo("max_completion_tokens");
        assertThat(p.maxStopSequences()).isEqualTo(4);
        assertThat(p.topK()).isFalse();
        assertThat(Capabilities.of(p).reasoningModel("gpt-5.1-codex")).isTrue();
        assertThat(Capabilities.of(p).reasoningModel("gpt-4.1-mini")).isFalse();
        assertThat(Capabilities.of(p).reasoningModel("gpt-4o")).isFalse();
        assertThat(BackendProfile.of(Provider.AZURE)).isEqualTo(p);
    }

    // --- mappings agents rely on ---

    @Test
    void outputConfigEffortBecomesReasoningEffortWhereTheRuntimeTakesIt() {
        String req = """
                {"model":"m","max_tokens":100,"output_config":{"effort":"low"},
                 "messages":[{"role":"user","content":"hi"}]}""";
        assertThat(translate(BackendProfile.of(Provider.OPENAI), "gpt-5", req).path("reasoning_effort").asText())
                .isEqualTo("low");
        assertThat(translate(BackendProfile.of(BackendKind.OLLAMA), "qwen3", req).path("reasoning_effort").asText())
                .isEqualTo("low");
        assertThat(translate(BackendProfile.of(BackendKind.VLLM), "qwen3", req).has("reasoning_effort")).isFalse();
        assertThat(translate(BackendProfile.of(Provider.OPENAI), "gpt-5", req.replace("low", "max"))
                .path("reasoning_effort").asText()).isEqualTo("high");
    }

    @Test
    void earlierThinkingGoesBackAsReasoningContentToTemplatesThatRenderIt() {
        String req = """
                {"model":"m","max_tokens":10,"messages":[
                  {"role":"user","content":"2+2?"},
                  {"role":"assistant","content":[
                    {"type":"thinking","thinking":"Simple arithmetic.","signature":""},
                    {"type":"redacted_thinking","data":"opaque"},
                    {"type":"text","text":"4"}]},
                  {"role":"user","content":"And times 3?"}]}""";
        for (BackendKind k : new BackendKind[] {BackendKind.VLLM, BackendKind.SGLANG, BackendKind.LLAMACPP}) {
            JsonNode assistant = translate(BackendProfile.of(k), "qwen3", req).path("messages").get(1);
            assertThat(assistant.path("reasoning_content").asText()).as(k.id()).isEqualTo("Simple arithmetic.");
            assertThat(assistant.path("content").asText()).isEqualTo("4");
            assertThat(assistant.toString()).doesNotContain("opaque");
        }
        for (BackendProfile p : new BackendProfile[] {BackendProfile.of(BackendKind.OLLAMA),
                BackendProfile.of(Provider.OPENAI), BackendProfile.of(BackendKind.TGI)}) {
            assertThat(translate(p, "m", req).toString()).as(p.kind().id()).doesNotContain("reasoning_content");
        }
    }

    @Test
    void aFinalAssistantMessageIsContinuedOnVllmAndSglangNotAnsweredAsANewTurn() {
        String req = """
                {"model":"m","max_tokens":10,"messages":[
                  {"role":"user","content":"Name a colour as JSON."},
                  {"role":"assistant","content":"{\\"colour\\": \\""}]}""";
        for (BackendKind k : new BackendKind[] {BackendKind.VLLM, BackendKind.SGLANG}) {
            JsonNode out = translate(BackendProfile.of(k), "qwen3", req);
            assertThat(out.path("continue_final_message").asBoolean()).as(k.id()).isTrue();
            assertThat(out.path("add_generation_prompt").asBoolean(true)).as(k.id()).isFalse();
            assertThat(out.at("/messages/1/role").asText()).isEqualTo("assistant");
        }
        JsonNode ollama = translate(BackendProfile.of(BackendKind.OLLAMA), "qwen3", req);
        assertThat(ollama.has("continue_final_message")).isFalse();
        JsonNode notPrefill = translate(BackendProfile.of(BackendKind.VLLM), "qwen3", """
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""");
        assertThat(notPrefill.has("continue_final_message")).isFalse();
    }

    @Test
    void serverToolsLeftOutForALocalRuntimeAreNamed() {
        AnthropicRequest r = request(BackendProfile.of(BackendKind.VLLM), """
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"news?"}],
                 "tools":[{"type":"web_search_20250305","name":"web_search","max_uses":3},
                          {"name":"get_weather","input_schema":{"type":"object"}},
                          {"type":"text_editor_20250728","name":"str_replace_based_edit_tool"}]}""");
        assertThat(r.droppedTools()).containsExactly("web_search_20250305", "text_editor_20250728");
        assertThat(r.openAi().path("tools")).hasSize(1);
    }
}
