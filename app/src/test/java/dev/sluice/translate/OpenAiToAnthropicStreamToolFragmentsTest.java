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
import dev.sluice.testing.AnthropicStreamInvariants.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tool-call argument fragments that arrive for a call other than the open block (issue 12 defect 2): each shape
 * ends with every call's whole input, in order, and the §3.8 invariants kept.
 */
class OpenAiToAnthropicStreamToolFragmentsTest {
    private static final String REQUEST = """
            {"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,
             "messages":[{"role":"user","content":"Weather in Paris and Rome?"}],
             "tools":[{"name":"get_weather","input_schema":{"type":"object"}}]}""";

    /** A delta with tool-call entries written by hand: {@code {"index":0,"id":"a","function":{...}}, ...}. */
    private static String calls(String... entries) {
        return "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{"
                + "\"tool_calls\":[" + String.join(",", entries) + "]},\"finish_reason\":null}]}";
    }

    private static String header(int index, String id, String args) {
        return "{\"index\":" + index + ",\"id\":\"" + id + "\",\"type\":\"function\",\"function\":{\"name\":"
                + "\"get_weather\",\"arguments\":" + Json.NODES.textNode(args) + "}}";
    }

    private static String fragment(int index, String args) {
        return "{\"index\":" + index + ",\"function\":{\"arguments\":" + Json.NODES.textNode(args) + "}}";
    }

    private static final String FINISH = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            + "\"delta\":{},\"finish_reason\":\"tool_calls\"}]}";

    /** The stream's tool blocks in order: id and the input its input_json_delta pieces spell. */
    private static Map<String, JsonNode> run(String... chunks) {
        ObjectNode body = (ObjectNode) Json.tryParse(REQUEST);
        AnthropicRequest request = AnthropicToOpenAiRequest.translate(body,
                Capabilities.of(BackendProfile.of(BackendKind.VLLM)), "m", "claude-sonnet-4-5");
        OpenAiToAnthropicStream t = new OpenAiToAnthropicStream("msg_fragments", request);
        List<byte[]> out = new ArrayList<>();
        for (String c : chunks) {
            t.onEvent(event(c), out);
        }
        t.onEvent(event("[DONE]"), out);
        List<Event> events = AnthropicStreamInvariants.parseFrames(out);
        AnthropicStreamInvariants.check(events);
        Map<Integer, String> ids = new LinkedHashMap<>();
        Map<Integer, StringBuilder> json = new LinkedHashMap<>();
        String stop = null;
        for (Event e : events) {
            JsonNode d = e.data();
            switch (e.type()) {
                case "content_block_start" -> {
                    if ("tool_use".equals(d.at("/content_block/type").asText())) {
                        ids.put(d.path("index").asInt(), d.at("/content_block/id").asText());
                        json.put(d.path("index").asInt(), new StringBuilder());
                    }
                }
                case "content_block_delta" -> {
                    if ("input_json_delta".equals(d.at("/delta/type").asText())) {
                        json.get(d.path("index").asInt()).append(d.at("/delta/partial_json").asText());
                    }
                }
                case "message_delta" -> stop = d.at("/delta/stop_reason").asText();
                default -> { }
            }
        }
        assertThat(stop).isEqualTo("tool_use");
        Map<String, JsonNode> inputs = new LinkedHashMap<>();
        json.forEach((i, sb) -> inputs.put(ids.get(i), sb.isEmpty() ? Json.object() : Json.tryParse(sb.toString())));
        return inputs;
    }

    private static SseEvent event(String data) {
        return new SseEvent(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8), null, data);
    }

    @Test
    void defect2_interleavedFragmentsOfParallelCallsAreNeverDropped() {
        Map<String, JsonNode> inputs = run(
                calls(header(0, "call_a", "{\"city\":")),
                calls(header(1, "call_b", "{\"city\":")),
                calls(fragment(0, "\"Paris\"")),
                calls(fragment(1, "\"Rome\"")),
                calls(fragment(0, "}"), fragment(1, "}")),
                FINISH);

        assertThat(inputs.keySet()).containsExactly("call_a", "call_b");
        assertThat(inputs.get("call_a")).isEqualTo(Json.tryParse("{\"city\":\"Paris\"}"));
        assertThat(inputs.get("call_b")).isEqualTo(Json.tryParse("{\"city\":\"Rome\"}"));
    }

    @Test
    void defect2_allCallHeadersFirstThenTheArgumentsAreNeverDropped() {
        Map<String, JsonNode> inputs = run(
                calls(header(0, "call_a", "")),
                calls(header(1, "call_b", "")),
                calls(header(2, "call_c", "")),
                calls(fragment(0, "{\"city\":\"Paris\"}")),
                calls(fragment(1, "{\"city\":")),
                calls(fragment(1, "\"Rome\"}")),
                calls(fragment(2, "{\"city\":\"Oslo\"}")),
                FINISH);

        assertThat(inputs.keySet()).containsExactly("call_a", "call_b", "call_c");
        assertThat(inputs.get("call_a")).isEqualTo(Json.tryParse("{\"city\":\"Paris\"}"));
        assertThat(inputs.get("call_b")).isEqualTo(Json.tryParse("{\"city\":\"Rome\"}"));
        assertThat(inputs.get("call_c")).isEqualTo(Json.tryParse("{\"city\":\"Oslo\"}"));
    }

    @Test
    void defect2_anIndexReusedWithANewIdKeepsTheFragmentsThatFollowIt() {
        Map<String, JsonNode> inputs = run(
                calls(header(0, "call_a", "{\"city\":")),
                calls(fragment(0, "\"Paris\"}")),
                calls(header(0, "call_b", "{\"city\":")),
                calls(fragment(0, "\"Rome\"")),
                calls(fragment(0, "}")),
                FINISH);

        assertThat(inputs.keySet()).containsExactly("call_a", "call_b");
        assertThat(inputs.get("call_a")).isEqualTo(Json.tryParse("{\"city\":\"Paris\"}"));
        assertThat(inputs.get("call_b")).isEqualTo(Json.tryParse("{\"city\":\"Rome\"}"));
    }

    @Test
    void defect2_anIndexReusedBeforeTheFirstCallIsCompleteLosesNothing() {
        Map<String, JsonNode> inputs = run(
                calls(header(0, "call_a", "{\"city\":")),
                calls(header(0, "call_b", "{\"city\":\"Rome\"}")),
                calls("{\"index\":0,\"id\":\"call_a\",\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}"),
                FINISH);

        assertThat(inputs.get("call_a")).isEqualTo(Json.tryParse("{\"city\":\"Paris\"}"));
        assertThat(inputs.get("call_b")).isEqualTo(Json.tryParse("{\"city\":\"Rome\"}"));
    }

    @Test
    void aBufferedCallStillEndsWithTheStreamWhenTheFinishNeverComes() {
        ObjectNode body = (ObjectNode) Json.tryParse(REQUEST);
        AnthropicRequest request = AnthropicToOpenAiRequest.translate(body,
                Capabilities.of(BackendProfile.of(BackendKind.VLLM)), "m", "claude-sonnet-4-5");
        OpenAiToAnthropicStream t = new OpenAiToAnthropicStream("msg_fragments", request);
        List<byte[]> out = new ArrayList<>();
        t.onEvent(event(calls(header(0, "call_a", ""))), out);
        t.onEvent(event(calls(header(1, "call_b", "{\"city\":\"Rome\"}"))), out);
        t.onEvent(event("[DONE]"), out);
        List<Event> events = AnthropicStreamInvariants.parseFrames(out);
        AnthropicStreamInvariants.check(events);
        assertThat(events.stream().filter(e -> e.type().equals("content_block_start")).count()).isEqualTo(2);
    }
}
