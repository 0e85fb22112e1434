package dev.sluice.translate;

import dev.sluice.protocol.StreamUsage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.sse.SseEvent;
import dev.sluice.testing.ResponsesStreamInvariants;
import dev.sluice.testing.ResponsesStreamInvariants.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stream translator's contract beyond the transcripts: keep-alives, onError, usage and the state flags. */
class OpenAiToResponsesStreamTest {
    private final List<byte[]> out = new ArrayList<>();

    private static OpenAiToResponsesStream translator(String request) {
        ResponsesRequest r = ResponsesToOpenAiRequest.translate((ObjectNode) Json.tryParse(request), null,
                ResponsesOptions.local(), "up");
        return new OpenAiToResponsesStream(r, ResponsesIds.sequential("u"), 1_700_000_000L);
    }

    private static OpenAiToResponsesStream translator() {
        return translator("{\"model\":\"qwen\",\"input\":\"hi\",\"stream\":true}");
    }

    private static SseEvent data(String json) {
        return new SseEvent(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8), null, json);
    }

    private static SseEvent content(String text) {
        return data("{\"choices\":[{\"index\":0,\"delta\":{\"content\":" + Json.NODES.textNode(text) + "}}]}");
    }

    private static List<String> names(List<byte[]> frames) {
        return ResponsesStreamInvariants.parseFrames(frames).stream().map(Event::name).toList();
    }

    @Test
    void theFirstKeepAliveOpensTheResponseAndLaterOnesAreSseComments() {
        OpenAiToResponsesStream t = translator();
        String first = new String(t.keepAlive(), StandardCharsets.UTF_8);
        assertThat(first).startsWith("event: response.created\n").contains("event: response.in_progress\n")
                .endsWith("\n\n: keep-alive\n\n");
        assertThat(new String(t.keepAlive(), StandardCharsets.UTF_8)).isEqualTo(": keep-alive\n\n");
        t.onEvent(content("Hi"), out);
        t.onEvent(data("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"), out);
        t.onEvent(data("[DONE]"), out);
        List<byte[]> all = new ArrayList<>(List.of(first.getBytes(StandardCharsets.UTF_8)));
        all.addAll(out);
        List<Event> events = ResponsesStreamInvariants.parse(String.join("", all.stream()
                .map(b -> new String(b, StandardCharsets.UTF_8)).toList()).getBytes(StandardCharsets.UTF_8));
        ResponsesStreamInvariants.check(events);
        assertThat(events.get(2).name()).as("no second response.created after the keep-alive")
                .isEqualTo("response.output_item.added");
    }

    @Test
    void anErrorAfterTheFirstByteClosesTheOpenItemAndEndsWithResponseFailedOnly() {
        OpenAiToResponsesStream t = translator();
        t.onEvent(content("Half an ans"), out);
        t.onError(GatewayException.of(ErrorKind.TIMEOUT, "the backend went silent for 300 s"), out);
        List<Event> events = ResponsesStreamInvariants.parseFrames(out);
        ResponsesStreamInvariants.check(events);
        Event last = events.get(events.size() - 1);
        assertThat(last.name()).isEqualTo("response.failed");
        assertThat(last.data().at("/response/error/code").asText()).isEqualTo("server_error");
        assertThat(last.data().at("/response/output/0/status").asText()).isEqualTo("incomplete");
        assertThat(names(out)).doesNotContain("error", "response.completed");
        assertThat(t.terminated()).isTrue();
        assertThat(t.failed()).isTrue();
        int before = out.size();
        t.onEnd(out);
        t.onEvent(content("late"), out);
        t.onError(GatewayException.of(ErrorKind.API_ERROR, "again"), out);
        assertThat(out).as("nothing after the terminal event").hasSize(before);
    }

    @Test
    void anErrorBeforeAnyChunkStillOpensTheResponseBeforeFailingIt() {
        OpenAiToResponsesStream t = translator();
        t.onError(GatewayException.of(ErrorKind.RATE_LIMITED, "Slow down").withHeader("Retry-After", "7"), out);
        assertThat(names(out)).containsExactly("response.created", "response.in_progress", "response.failed");
        ObjectNode error = (ObjectNode) ResponsesStreamInvariants.parseFrames(out).get(2).data().at("/response/error");
        assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.get("message").asText()).as("Codex reads the delay from this phrase")
                .isEqualTo("Slow down. Please try again in 7s.");
    }

    @Test
    void aChunkThatIsNotJsonFailsTheResponseAndTheBackendKeyNeverReachesTheClient() {
        OpenAiToResponsesStream t = translator();
        t.onEvent(data("{\"error\":{\"message\":\"bad key sk-secret\",\"code\":500}}"), out);
        // the relay scrubs the failed translator's events (StreamErrorRedactionTest shows it end to end)
        String failed = new String(dev.sluice.protocol.UpstreamErrors.scrub(out.get(out.size() - 1), "sk-secret"),
                StandardCharsets.UTF_8);
        assertThat(t.failed()).isTrue();
        assertThat(failed).contains("response.failed").contains("[redacted]").doesNotContain("sk-secret");
        OpenAiToResponsesStream u = translator();
        List<byte[]> other = new ArrayList<>();
        u.onEvent(data("not json"), other);
        assertThat(names(other)).last().isEqualTo("response.failed");
    }

    @Test
    void usageIsTheBackendsWhenItSentOneAndAnEstimateOtherwise() {
        OpenAiToResponsesStream t = translator();
        assertThat(t.sawContent()).isFalse();
        t.onEvent(content("Hello there, how are you?"), out);
        assertThat(t.sawContent()).isTrue();
        assertThat(t.usage().estimated()).isTrue();
        assertThat(t.usage().completionTokens()).isEqualTo(7);
        assertThat(t.usage().promptTokens()).isPositive();
        t.onEvent(data("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"), out);
        t.onEvent(data("{\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":6,\"total_tokens\":17}}"), out);
        assertThat(t.usage()).isEqualTo(new StreamUsage(11, 6, false));
        assertThat(t.terminated()).as("the terminal waits for [DONE] or the end").isFalse();
        t.onEnd(out);
        assertThat(names(out)).last().isEqualTo("response.completed");
        assertThat(t.failed()).isFalse();
    }

    @Test
    void theResponseIdIsTheOneInEveryLifecycleEvent() {
        OpenAiToResponsesStream t = translator();
        t.onEvent(content("x"), out);
        t.onEnd(out);
        assertThat(t.responseId()).isEqualTo("resp_u0001");
        assertThat(ResponsesStreamInvariants.parseFrames(out).get(0).data().at("/response/id").asText())
                .isEqualTo(t.responseId());
    }

    @Test
    void withTheThinkSplitterOffAnInlineThinkBlockStaysText() {
        ResponsesRequest r = ResponsesToOpenAiRequest.translate((ObjectNode) Json.tryParse(
                "{\"model\":\"qwen\",\"input\":\"hi\",\"stream\":true}"), null,
                ResponsesOptions.local().withSplitThinkTags(false), "up");
        OpenAiToResponsesStream t = new OpenAiToResponsesStream(r, ResponsesIds.sequential("u"), 1L);
        t.onEvent(content("<think>hm</think>Hi"), out);
        t.onEvent(data("[DONE]"), out);
        assertThat(names(out)).doesNotContain("response.reasoning_text.delta");
        assertThat(new String(out.get(out.size() - 1), StandardCharsets.UTF_8)).contains("<think>hm</think>Hi");
    }

    @Test
    void commentsAndBareEventLinesFromTheUpstreamAreIgnored() {
        OpenAiToResponsesStream t = translator();
        t.onEvent(new SseEvent(": ping\n\n".getBytes(StandardCharsets.UTF_8), null, null), out);
        assertThat(out).isEmpty();
        t.onEvent(content("a"), out);
        assertThat(Map.of("events", names(out).size())).containsEntry("events", 5);
    }

    @Test
    void outputArrivingAfterTheFinishChunkIsStillClosedBeforeTheTerminal() {
        OpenAiToResponsesStream t = translator();
        t.onEvent(content("Done."), out);
        t.onEvent(data("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"), out);
        t.onEvent(data("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_late00001\","
                + "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}}]}"), out);
        t.onEvent(data("[DONE]"), out);
        List<Event> events = ResponsesStreamInvariants.parseFrames(out);
        ResponsesStreamInvariants.check(events);
        assertThat(events.get(events.size() - 1).data().at("/response/output")).hasSize(2);
    }
}
