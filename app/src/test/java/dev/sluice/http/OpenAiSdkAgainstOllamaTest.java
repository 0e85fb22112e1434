package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Fixtures;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.Reply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The openai-java SDK against the gateway in front of an Ollama-speaking runtime, with recorded answers. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OpenAiSdkAgainstOllamaTest {
    private FakeRuntime ollama;
    private Gateway gateway;
    private OpenAIClient sdk;

    @BeforeAll
    void start() {
        ollama = FakeRuntime.ollama();
        gateway = Gateway.in(ollama);
        sdk = gateway.openAi("unused");
    }

    @AfterAll
    void stop() {
        gateway.close();
        ollama.close();
    }

    @BeforeEach
    void reset() {
        ollama.reset();
    }

    private static ChatCompletionCreateParams params() {
        return ChatCompletionCreateParams.builder().model("llama3.2:3b-instruct-fp16").addUserMessage("hi").build();
    }

    @Test
    void a_plain_chat_comes_back_as_recorded() {
        ollama.enqueue(Reply.fixture("ollama/chat.json"));

        ChatCompletion c = sdk.chat().completions().create(params());

        assertThat(c.choices().get(0).message().content()).contains(Gateway.json(Fixtures.text("ollama/chat.json"))
                .at("/choices/0/message/content").asText());
        assertThat(c.systemFingerprint()).contains("fp_ollama");
    }

    @Test
    void a_recorded_stream_yields_every_recorded_delta() throws Exception {
        ollama.enqueue(Reply.sseFixture("ollama/chat-stream.sse"));
        List<String> expected = new ArrayList<>();
        for (byte[] e : Fixtures.events("ollama/chat-stream.sse")) {
            JsonNode chunk = Gateway.json(new String(e).substring("data: ".length()));
            expected.add(chunk.at("/choices/0/delta/content").asText());
        }

        List<String> deltas = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions().createStreaming(params())) {
            s.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(deltas::add)));
        }

        assertThat(deltas).isEqualTo(expected);
        assertThat(String.join("", deltas)).isEqualTo("The Latin word for the Sun is \"Sol.\"");
        assertThat(ollama.takeRequest().json().at("/stream_options/include_usage").asBoolean()).isTrue();
    }

    @Test
    void a_whole_tool_call_in_one_chunk_accumulates_in_the_sdk() {
        ollama.enqueue(Reply.sseFixture("ollama/chat-stream-tool-call.sse"));

        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions().createStreaming(params())) {
            s.stream().forEach(acc::accumulate);
        }

        var choice = acc.chatCompletion().choices().get(0);
        assertThat(choice.finishReason().asString()).isEqualTo("tool_calls");
        var call = choice.message().toolCalls().get().get(0).asFunction();
        assertThat(call.id()).isEqualTo("call_lzagyd98");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(Gateway.json(call.function().arguments()).path("location").asText()).isEqualTo("San Francisco, CA");
    }
}
