package dev.sluice.translate;

import dev.sluice.protocol.StreamUsage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.sse.SseEvent;
import dev.sluice.testing.Fixtures;
import dev.sluice.testing.Sse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Real recorded Anthropic streams → OpenAI chunks (protocols.md §3.9, §5.6 row 50). */
class AnthropicToOpenAiStreamTest {

    static OpenAiToAnthropicRequest.Prepared request(boolean usage) {
        return new OpenAiToAnthropicRequest.Prepared(Json.object(), true, "my-claude", usage);
    }

    static List<SseEvent> run(AnthropicToOpenAiStream t, byte[] upstream, boolean end) {
        List<byte[]> out = new ArrayList<>();
        for (SseEvent e : Sse.decode(upstream)) {
            t.onEvent(e, out);
        }
        if (end) {
            t.onEnd(out);
        }
        return Sse.decode(Sse.concat(out));
    }

    static List<SseEvent> run(AnthropicToOpenAiStream t, String fixture) {
        return run(t, Fixtures.bytes(fixture), true);
    }

    static List<JsonNode> chunks(List<SseEvent> events) {
        return events.stream().filter(e -> e.data() != null && !e.isDone()).map(e -> Json.tryParse(e.data())).toList();
    }

    static ChatCompletion accumulate(List<SseEvent> events) throws Exception {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        for (SseEvent e : events) {
            if (e.data() != null && !e.isDone()) {
                acc.accumulate(ObjectMappers.jsonMapper().readValue(e.data(), ChatCompletionChunk.class));
            }
        }
        return acc.chatCompletion();
    }

    @Test
    void textStreamAccumulatesInTheOpenAiSdk() throws Exception {
        AnthropicToOpenAiStream t = new AnthropicToOpenAiStream(request(false));
        List<SseEvent> out = run(t, "anthropic/messages-stream-text.sse");

        List<JsonNode> chunks = chunks(out);
        assertThat(chunks.getFirst().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(chunks.getFirst().path("id").asText()).isEqualTo("chatcmpl-013nnniYDrJDocdy5nrMU7cH");
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.path("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.path("model").asText()).isEqualTo("my-claude");
            assertThat(c.has("usage")).isFalse();
        });
        assertThat(out.getLast().isDone()).isTrue();
        assertThat(out).anyMatch(e -> e.data() == null); // the upstream ping became a comment
        ChatCompletion c = accumulate(out);
        assertThat(c.choices().get(0).message().content()).hasValue("[12345,67890]");
        assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("stop");
        assertThat(t.terminated()).isTrue();
        assertThat(t.failed()).isFalse();
        assertThat(t.usage()).isEqualTo(new StreamUsage(135, 10, false));
        assertThat(t.sawContent()).isTrue();
    }

    @Test
    void toolUseStreamBecomesIndexedToolCallsThatAccumulate() throws Exception {
        AnthropicToOpenAiStream t = new AnthropicToOpenAiStream(request(false));
        List<SseEvent> out = run(t, "anthropic/messages-stream-tool-use.sse");

        List<JsonNode> calls = chunks(out).stream().filter(c -> c.at("/choices/0/delta").has("tool_calls")).toList();
        assertThat(calls.getFirst().at("/choices/0/delta/tool_calls/0")).isEqualTo(Json.tryParse("""
                {"index":0,"id":"toolu_018acGYLtfR52q9yDbWaEdQZ","type":"function",
                 "function":{"name":"get_weather","arguments":""}}"""));
        assertThat(calls.subList(1, calls.size())).allSatisfy(c -> {
            assertThat(c.at("/choices/0/delta/tool_calls/0/index").asInt()).isEqualTo(0);
            assertThat(c.at("/choices/0/delta/tool_calls/0/function").has("arguments")).isTrue();
        });
        ChatCompletion c = accumulate(out);
        var call = c.choices().get(0).message().toolCalls().get().get(0).asFunction();
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(Json.tryParse(call.function().arguments()).has("location")).isTrue();
        assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("tool_calls");
    }

    @Test
    void textThenToolUseCountsToolIndexesOverToolBlocksOnly() throws Exception {
        AnthropicToOpenAiStream t = new AnthropicToOpenAiStream(request(false));
        List<SseEvent> out = run(t, "anthropic/messages-stream-text-then-tool-use.sse");

        assertThat(chunks(out).stream().filter(c -> c.at("/choices/0/delta").has("tool_calls"))
                .map(c -> c.at("/choices/0/delta/tool_calls/0/index").asInt()).distinct().toList())
                .startsWith(0);
        ChatCompletion c = accumulate(out);
        assertThat(c.choices().get(0).message().content()).isPresent();
        assertThat(c.choices().get(0).message().toolCalls().get()).isNotEmpty();
    }

    @Test
    void thinkingBecomesReasoningContentAndSignaturesAreDropped() {
        AnthropicToOpenAiStream t = new AnthropicToOpenAiStream(request(false));
        List<SseEvent> out = run(t, "anthropic/messages-stream-thinking.sse");
        assertThat(chunks(out)).anyMatch(c -> c.at("/choices/0/delta").has("reasoning_content"));
        assertThat(new String(Sse.raw(out), StandardCharsets.UTF_8)).doesNotContain("signature");
        assertThat(t.failed()).isFalse();
    }

    @Test
    void edge50_includeUsageGivesNullUsageOnChunksThenAUsageChunkThenDone() throws Exception {
        byte[] upstream = """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_x","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":5,"cache_read_input_tokens":100,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}

                event: message_stop
                data: {"type":"message_stop"}

                """.getBytes(StandardCharsets.UTF_8);
        AnthropicToOpenAiStream t = new AnthropicToOpenAiStream(request(true));
        List<SseEvent> out = run(t, upstream, true);

        List<JsonNode> chunks = chunks(out);
        JsonNode last = chunks.getLast();
        assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> {
            assertThat(c.has("usage")).isTrue();
            assertThat(c.path("usage").isNull()).isTrue();
        });
        assertThat(last.path("choices")).isEmpty();
        assertThat(last.at("/usage/prompt_tokens").asLong()).isEqualTo(115);
        assertThat(last.at("/usage/completion_tokens").asLong()).isEqualTo(3);
        assertThat(last.at("/usage/total_tokens").asLong()).isEqualTo(118);
        assertThat(out.getLast().isDone()).isTrue();
        ChatCompletion c = accumulate(out);
        assertThat(c.choices().get(0).message().content()).hasValue("Hi");
        assertThat(c.usage().get().promptTokens()).isEqualTo(115);
    }

    @Test
    void anErrorEventBecomesAnOpenAiErrorChunkAndEndsTheStream() {
        byte[] upstream = """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_x","type":"message","role":"assistant","model":"m","content":[],"usage":{"input_tokens":1,"output_tokens":1}}}

                event: error
                data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

                event: message_stop
                data: {"type":"message_stop"}

                """.getBytes(StandardCharsets.UTF_8);
        AnthropicToOpenAiStream t = new AnthropicToOpenAiStream(request(false));
        List<SseEvent> out = run(t, upstream, true);
        JsonNode last = Json.tryParse(out.getLast().data());
        assertThat(last.at("/error/message").asText()).isEqualTo("Overloaded");
        assertThat(out).noneMatch(SseEvent::isDone);
        assertThat(t.failed()).isTrue();
        assertThat(t.terminated()).isTrue();
    }

    @Test
    void endOfStreamBeforeMessageStopIsAnErrorChunk() {
        List<SseEvent> all = Sse.decode(Fixtures.bytes("anthropic/messages-stream-text.sse"));
        byte[] cut = Sse.raw(all.subList(0, all.size() - 2)); // no message_delta, no message_stop
        AnthropicToOpenAiStream t = new AnthropicToOpenAiStream(request(false));
        List<SseEvent> out = run(t, cut, true);
        assertThat(Json.tryParse(out.getLast().data()).has("error")).isTrue();
        assertThat(out).noneMatch(SseEvent::isDone);
        assertThat(t.failed()).isTrue();
    }
}
