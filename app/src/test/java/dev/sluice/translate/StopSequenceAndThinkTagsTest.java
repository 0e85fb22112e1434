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
import dev.sluice.testing.OpenAiChunks;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * TGI's {@code finish_reason: "stop_sequence"} with several stop sequences, and inline {@code <think>} tags,
 * each read the same way from a JSON answer and from a stream (issue 12 defect 8).
 */
class StopSequenceAndThinkTagsTest {
    private static AnthropicRequest request(String stops) {
        ObjectNode body = (ObjectNode) Json.tryParse("""
                {"model":"m","max_tokens":100,"stop_sequences":%s,
                 "messages":[{"role":"user","content":"Count."}]}""".formatted(stops));
        return AnthropicToOpenAiRequest.translate(body, Capabilities.of(BackendProfile.of(BackendKind.TGI)), "tgi",
                "m");
    }

    private static JsonNode json(String content, String finish, AnthropicRequest r) {
        return OpenAiToAnthropicResponse.translate(
                OpenAiChunks.completion(content, finish, 10, 5).getBytes(StandardCharsets.UTF_8), r);
    }

    /** The streamed message folded back: thinking text, answer text, stop reason, stop sequence. */
    private record Folded(String thinking, String text, String stopReason, String stopSequence) {}

    private static Folded stream(AnthropicRequest r, String finish, String... pieces) {
        OpenAiToAnthropicStream t = new OpenAiToAnthropicStream("msg_x", r);
        List<byte[]> out = new ArrayList<>();
        for (String p : pieces) {
            t.onEvent(event(OpenAiChunks.content(p)), out);
        }
        t.onEvent(event(OpenAiChunks.finish(finish)), out);
        t.onEvent(event("[DONE]"), out);
        List<Event> events = AnthropicStreamInvariants.parseFrames(out);
        AnthropicStreamInvariants.check(events);
        StringBuilder thinking = new StringBuilder();
        StringBuilder text = new StringBuilder();
        String stop = null;
        String seq = null;
        for (Event e : events) {
            JsonNode d = e.data();
            if (e.type().equals("content_block_delta")) {
                thinking.append(d.at("/delta/thinking").asText(""));
                text.append(d.at("/delta/text").asText(""));
            } else if (e.type().equals("message_delta")) {
                stop = d.at("/delta/stop_reason").asText();
                seq = d.at("/delta/stop_sequence").isNull() ? null : d.at("/delta/stop_sequence").asText();
            }
        }
        return new Folded(thinking.toString(), text.toString(), stop, seq);
    }

    private static SseEvent event(String data) {
        return new SseEvent(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8), null, data);
    }

    @Test
    void defect8_tgiStopSequenceWithSeveralStopsIsReportedInAJsonAnswer() {
        AnthropicRequest r = request("[\"END\",\"STOP\",\"###\"]");

        JsonNode m = json("one, two, threeSTOP", "stop_sequence", r);

        assertThat(m.path("stop_reason").asText()).isEqualTo("stop_sequence");
        assertThat(m.path("stop_sequence").asText()).isEqualTo("STOP");
    }

    @Test
    void defect8_tgiStopSequenceWithSeveralStopsIsReportedInAStream() {
        AnthropicRequest r = request("[\"END\",\"STOP\",\"###\"]");

        Folded f = stream(r, "stop_sequence", "one, two, ", "three", "##", "#");

        assertThat(f.stopReason()).isEqualTo("stop_sequence");
        assertThat(f.stopSequence()).isEqualTo("###");
    }

    @Test
    void defect8_aStopSequenceFinishIsNeverEndTurnEvenWhenTheTextDoesNotSayWhich() {
        AnthropicRequest r = request("[\"END\",\"STOP\"]");

        assertThat(json("one, two", "stop_sequence", r).path("stop_reason").asText()).isEqualTo("stop_sequence");
        assertThat(stream(r, "stop_sequence", "one, two").stopReason()).isEqualTo("stop_sequence");
    }

    /** The same content, as one JSON answer and as a stream cut in every place, gives the same split. */
    @ParameterizedTest
    @ValueSource(strings = {
            "<think>plan it</think>The answer.",
            "\n\n<think>plan it</think>\n\nThe answer.",
            "  <think>cut off at max_tokens, never closed",
            "No thinking here, <think> in the middle stays text.</think>",
            "<think></think>Empty thoughts."})
    void defect8_thinkTagsFollowOneRuleForJsonAnswersAndStreams(String content) {
        AnthropicRequest r = request("[]");
        JsonNode m = json(content, "stop", r);
        String jsonThinking = "";
        String jsonText = "";
        for (JsonNode b : m.path("content")) {
            jsonThinking += b.path("thinking").asText("");
            jsonText += b.path("text").asText("");
        }
        for (int cut = 0; cut <= content.length(); cut++) {
            Folded f = cut == 0 ? stream(r, "stop", content)
                    : stream(r, "stop", content.substring(0, cut), content.substring(cut));
            assertThat(f.thinking().strip()).as("thinking, stream cut at %d", cut).isEqualTo(jsonThinking.strip());
            assertThat(f.text().strip()).as("text, stream cut at %d", cut).isEqualTo(jsonText.strip());
        }
    }
}
