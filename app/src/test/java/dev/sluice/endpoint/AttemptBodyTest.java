package dev.sluice.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.Backend;
import dev.sluice.backend.BackendKind;
import dev.sluice.backend.BackendProfile;
import dev.sluice.backend.HttpBackend;
import dev.sluice.backend.WireDialect;
import dev.sluice.protocol.Json;
import dev.sluice.routing.Upstream;
import dev.sluice.translate.OpenAiPassthroughRequest.Endpoint;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Attempts share the client's tree instead of deep-copying it (issue 13 item 1). That is only safe while every pair
 * leaves the client's request as it was: prepare each pair several times, with request defaults and the fields
 * translators change, and the tree must be unchanged and every attempt's body the same.
 */
class AttemptBodyTest {
    static final String OPENAI = """
            {"model":"m","stream":true,"stream_options":{"include_usage":false},"max_completion_tokens":64,
             "response_format":{"type":"json_object"},"stop":["x"],"tools":[{"type":"function","function":
             {"name":"f","parameters":{"type":"object","properties":{}}}}],
             "messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"hi"}]},
             {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
             "function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"r"},
             {"role":"user","content":"more"}]}
            """;
    static final String MESSAGES = """
            {"model":"m","stream":true,"max_tokens":64,"system":[{"type":"text","text":"s"}],
             "tools":[{"name":"f","input_schema":{"type":"object"}}],"metadata":{"user_id":"u"},
             "messages":[{"role":"user","content":[{"type":"text","text":"hi"}]},
             {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r"}]}]}
            """;
    static final Map<String, Object> DEFAULTS = Map.of("temperature", 0.2, "extra", Map.of("a", List.of(1)));

    enum Wire { VLLM, OLLAMA, TGI, ANTHROPIC }

    static Upstream upstream(Wire wire) {
        Backend b = switch (wire) {
            case VLLM -> http(BackendProfile.of(BackendKind.VLLM), WireDialect.OPENAI);
            case OLLAMA -> http(BackendProfile.of(BackendKind.OLLAMA), WireDialect.OPENAI);
            case TGI -> http(BackendProfile.of(BackendKind.TGI), WireDialect.OPENAI);
            case ANTHROPIC -> http(BackendProfile.anthropic(), WireDialect.ANTHROPIC);
        };
        return new Upstream("d", "m", b, "upstream-model", 1, 3, Duration.ofSeconds(1), null, DEFAULTS);
    }

    static HttpBackend http(BackendProfile profile, WireDialect wire) {
        return new HttpBackend(URI.create("http://127.0.0.1:9/v1"), null, "authorization", Duration.ofSeconds(1),
                profile, UnaryOperator.identity(), Map.of(), wire);
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void openAiAttemptsLeaveTheClientsTreeUnchanged(Wire wire) throws Exception {
        byte[] raw = OPENAI.getBytes(StandardCharsets.UTF_8);
        ObjectNode json = (ObjectNode) Json.parse(raw);
        String before = json.toString();
        ClientRequest.OpenAi r = new ClientRequest.OpenAi(Endpoint.CHAT, "/chat/completions", raw, json, "m", true);
        byte[] first = Pairs.prepare(r, upstream(wire), null).call().body();
        for (int i = 0; i < 3; i++) {
            assertThat(Pairs.prepare(r, upstream(wire), null).call().body()).isEqualTo(first);
        }
        assertThat(json.toString()).isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void messagesAttemptsLeaveTheClientsTreeUnchanged(Wire wire) throws Exception {
        ObjectNode json = (ObjectNode) Json.parse(MESSAGES);
        String before = json.toString();
        ClientRequest.Messages r = new ClientRequest.Messages(json, "m", true, "msg_1", Map.of());
        byte[] first = Pairs.prepare(r, upstream(wire), null).call().body();
        for (int i = 0; i < 3; i++) {
            assertThat(Pairs.prepare(r, upstream(wire), null).call().body()).isEqualTo(first);
        }
        assertThat(json.toString()).isEqualTo(before);
    }

    @org.junit.jupiter.api.Test
    void anAttemptSharesTheClientsArraysAndCopiesItsSettingsObjects() throws Exception {
        ObjectNode json = (ObjectNode) Json.parse(OPENAI);
        ObjectNode copy = AttemptBody.of(json);
        assertThat(copy.get("messages")).isSameAs(json.get("messages"));
        assertThat(copy.get("tools")).isSameAs(json.get("tools"));
        assertThat(copy.get("stream_options")).isNotSameAs(json.get("stream_options")).isEqualTo(json.get("stream_options"));
        assertThat(copy).isEqualTo(json);
    }
}
