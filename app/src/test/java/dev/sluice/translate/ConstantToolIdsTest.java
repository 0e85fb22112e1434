package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.BackendKind;
import dev.sluice.backend.BackendProfile;
import dev.sluice.endpoint.Capabilities;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.sse.SseEvent;
import dev.sluice.testing.AnthropicStreamInvariants;
import dev.sluice.testing.Fixtures;
import dev.sluice.testing.Sse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TGI gives every tool call of every turn the id {@code "0"} (issue 12 defect 4): the ids a client sees are
 * minted per turn, in the client's own format, so a conversation never holds two calls with one id.
 */
class ConstantToolIdsTest {
    private static final String ANTHROPIC_REQUEST = """
            {"model":"my-llama","max_tokens":200,"stream":true,
             "messages":[{"role":"user","content":"Weather in Paris?"}],
             "tools":[{"name":"get_weather","input_schema":{"type":"object"}}]}""";

    private static AnthropicRequest anthropic(BackendKind kind) {
        ObjectNode body = (ObjectNode) Json.tryParse(ANTHROPIC_REQUEST);
        return AnthropicToOpenAiRequest.translate(body, Capabilities.of(BackendProfile.of(kind)), "tgi", "my-llama");
    }

    private static String streamedToolId(String messageId) {
        OpenAiToAnthropicStream t = new OpenAiToAnthropicStream(messageId, anthropic(BackendKind.TGI));
        List<byte[]> out = new ArrayList<>();
        for (SseEvent e : Sse.decode(Fixtures.bytes("tgi/chat-stream-tool-call.sse"))) {
            t.onEvent(e, out);
        }
        t.onEnd(out);
        var events = AnthropicStreamInvariants.parseFrames(out);
        AnthropicStreamInvariants.check(events);
        return events.stream().filter(e -> e.type().equals("content_block_start"))
                .map(e -> e.data().at("/content_block/id").asText()).filter(id -> !id.isEmpty()).findFirst()
                .orElseThrow();
    }

    @Test
    void defect4_tgiToolIdsStreamedToAnAnthropicClientDifferFromTurnToTurn() {
        String first = streamedToolId(AnthropicIds.messageId());
        String second = streamedToolId(AnthropicIds.messageId());

        assertThat(first).matches("toolu_[A-Za-z0-9]{24}").isNotEqualTo(second);
        assertThat(second).matches("toolu_[A-Za-z0-9]{24}");
    }

    @Test
    void defect4_tgiToolIdsInAnAnthropicJsonAnswerDifferFromTurnToTurn() {
        byte[] body = Fixtures.bytes("tgi/chat-tool-call.json");
        assertThat(Json.tryParse(body).at("/choices/0/message/tool_calls/0/id").asText()).isEqualTo("0");

        String first = OpenAiToAnthropicResponse.translate(body, anthropic(BackendKind.TGI)).at("/content/0/id").asText();
        String second = OpenAiToAnthropicResponse.translate(body, anthropic(BackendKind.TGI)).at("/content/0/id").asText();

        assertThat(first).matches("toolu_[A-Za-z0-9]{24}").isNotEqualTo(second);
    }

    @Test
    void defect4_runtimesWithUniqueIdsKeepTheirOwn() {
        String body = """
                {"id":"x","object":"chat.completion","choices":[{"index":0,"finish_reason":"tool_calls",
                 "message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_abc","type":"function",
                 "function":{"name":"get_weather","arguments":"{}"}}]}}]}""";
        JsonNode m = OpenAiToAnthropicResponse.translate(body.getBytes(StandardCharsets.UTF_8),
                anthropic(BackendKind.VLLM));
        assertThat(m.at("/content/0/id").asText()).isEqualTo("call_abc");
    }

    private static PreparedRequest openAi(boolean stream) {
        String json = """
                {"model":"my-llama","stream":%s,"messages":[{"role":"user","content":"Weather?"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}"""
                .formatted(stream);
        ObjectNode body = (ObjectNode) Json.tryParse(json);
        return OpenAiPassthroughRequest.prepare(OpenAiPassthroughRequest.Endpoint.CHAT,
                json.getBytes(StandardCharsets.UTF_8), body, Capabilities.of(BackendProfile.of(BackendKind.TGI)),
                (String) null);
    }

    @Test
    void defect4_tgiToolIdsInAnOpenAiJsonAnswerAreCallIdsThatDifferFromTurnToTurn() {
        byte[] body = Fixtures.bytes("tgi/chat-tool-call.json");
        String first = Json.tryParse(OpenAiPassthroughResponse.shape(body, openAi(false)).body())
                .at("/choices/0/message/tool_calls/0/id").asText();
        String second = Json.tryParse(OpenAiPassthroughResponse.shape(body, openAi(false)).body())
                .at("/choices/0/message/tool_calls/0/id").asText();

        assertThat(first).matches("call_[A-Za-z0-9]{24}").isNotEqualTo(second);
    }

    @Test
    void defect4_tgiToolIdsStreamedToAnOpenAiClientAreCallIdsThatDifferFromTurnToTurn() {
        List<String> ids = new ArrayList<>();
        for (int turn = 0; turn < 2; turn++) {
            PreparedRequest p = openAi(true);
            OpenAiPassthroughStream t = new OpenAiPassthroughStream(false, p.rewriteModelTo(), p.toolIdSeed());
            List<byte[]> out = new ArrayList<>();
            for (SseEvent e : Sse.decode(Fixtures.bytes("tgi/chat-stream-tool-call.sse"))) {
                t.onEvent(e, out);
            }
            t.onEnd(out);
            String turnId = null;
            for (SseEvent e : Sse.decode(out)) {
                JsonNode c = Json.tryParse(e.data());
                String id = c == null ? null : Json.text(c.at("/choices/0/delta/tool_calls/0"), "id");
                if (id != null) {
                    assertThat(turnId == null || turnId.equals(id)).as("one id for every fragment of a call").isTrue();
                    turnId = id;
                }
            }
            assertThat(turnId).matches("call_[A-Za-z0-9]{24}");
            ids.add(turnId);
        }
        assertThat(ids.get(0)).isNotEqualTo(ids.get(1));
    }
}
