package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.core.JsonValue;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Fixtures;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The official openai-java SDK (OkHttp) against the gateway in front of a vLLM-speaking runtime. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OpenAiSdkAgainstVllmTest {
    private FakeRuntime vllm;
    private Gateway gateway;
    private OpenAIClient sdk;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        gateway = Gateway.in(vllm, "API_KEYS", "sk-test");
        sdk = gateway.openAi("sk-test");
    }

    @AfterAll
    void stop() {
        gateway.close();
        vllm.close();
    }

    @BeforeEach
    void reset() {
        vllm.reset();
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder().model("Qwen/Qwen3-0.6B").addUserMessage("What is the weather?");
    }

    @Test
    void a_plain_chat_completion_comes_back_as_the_runtime_answered_it() throws Exception {
        vllm.enqueue(Reply.fixture("vllm/chat.json"));

        ChatCompletion completion = sdk.chat().completions().create(chat().build());

        JsonNode recorded = Gateway.json(Fixtures.text("vllm/chat.json"));
        assertThat(completion.id()).isEqualTo("rec-77cf21828360");
        assertThat(completion.model()).isEqualTo("Qwen/Qwen3-0.6B");
        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content())
                .contains(recorded.at("/choices/0/message/content").asText());
        assertThat(completion.usage().get().totalTokens()).isEqualTo(187);

        RecordedRequest req = vllm.takeRequest();
        assertThat(req.method()).isEqualTo("POST");
        assertThat(req.path()).isEqualTo("/v1/chat/completions");
        assertThat(req.json().path("model").asText()).isEqualTo("Qwen/Qwen3-0.6B");
        assertThat(req.json().at("/messages/0/content").asText()).isEqualTo("What is the weather?");
    }

    @Test
    void a_streamed_chat_delivers_every_delta_in_order() throws Exception {
        String chunk = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":\"Qwen/Qwen3-0.6B\","
                + "\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}";
        vllm.enqueue(Reply.sse()
                .data(chunk.formatted("{\"role\":\"assistant\",\"content\":\"\"}", "null"))
                .data(chunk.formatted("{\"content\":\"Hel\"}", "null"))
                .data(chunk.formatted("{\"content\":\"lo\"}", "null"))
                .data(chunk.formatted("{\"content\":\", world\"}", "null"))
                .data(chunk.formatted("{}", "\"stop\""))
                .data("{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"Qwen/Qwen3-0.6B\","
                        + "\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,"
                        + "\"total_tokens\":8}}"));

        List<String> deltas = new ArrayList<>();
        List<String> finishes = new ArrayList<>();
        boolean sawUsage = false;
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(chat().build())) {
            for (ChatCompletionChunk c : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                sawUsage |= c.usage().isPresent();
                for (ChatCompletionChunk.Choice choice : c.choices()) {
                    choice.delta().content().ifPresent(deltas::add);
                    choice.finishReason().ifPresent(f -> finishes.add(f.asString()));
                }
            }
        }

        assertThat(deltas).containsExactly("", "Hel", "lo", ", world");
        assertThat(finishes).containsExactly("stop");
        assertThat(sawUsage).as("usage chunk the client did not ask for").isFalse();
        assertThat(vllm.takeRequest().json().path("stream").asBoolean()).isTrue();
    }

    @Test
    void a_streamed_tool_call_accumulates_to_the_recorded_name_and_arguments() throws Exception {
        vllm.enqueue(Reply.sseFixture("vllm/chat-stream-tool-call.sse"));

        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(chat()
                .addFunctionTool(FunctionDefinition.builder().name("get_time")
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("timezone",
                                        Map.of("type", "string"))))
                                .build())
                        .build())
                .build())) {
            stream.stream().forEach(acc::accumulate);
        }

        ChatCompletion completion = acc.chatCompletion();
        var message = completion.choices().get(0).message();
        assertThat(completion.choices().get(0).finishReason().asString()).isEqualTo("tool_calls");
        assertThat(message.toolCalls()).get().asList().hasSize(1);
        ChatCompletionMessageFunctionToolCall call = message.toolCalls().get().get(0).asFunction();
        assertThat(call.id()).isEqualTo("chatcmpl-tool-41faa6bedd074d51a6335cd2447deeab");
        assertThat(call.function().name()).isEqualTo("get_time");
        assertThat(Gateway.json(call.function().arguments())).isEqualTo(Gateway.json("{\"timezone\": \"UTC\"}"));

        JsonNode sent = vllm.takeRequest().json();
        assertThat(sent.at("/tools/0/function/name").asText()).isEqualTo("get_time");
    }

    @Test
    void a_legacy_completion_comes_back_with_its_text() throws Exception {
        vllm.enqueue(Reply.fixture("vllm/completions.json"));

        Completion completion = sdk.completions().create(CompletionCreateParams.builder()
                .model("Qwen/Qwen3-0.6B").prompt("Say a happy word").maxTokens(2).build());

        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).text()).isEqualTo("joy");
        assertThat(completion.usage().get().completionTokens()).isEqualTo(2);
        RecordedRequest req = vllm.takeRequest();
        assertThat(req.path()).isEqualTo("/v1/completions");
        assertThat(req.json().path("prompt").asText()).isEqualTo("Say a happy word");
    }

    @Test
    void listing_models_returns_what_the_runtime_serves() throws Exception {
        List<Model> models = sdk.models().list().data();

        assertThat(models).extracting(Model::id).containsExactly("Qwen/Qwen3-0.6B");
        assertThat(models.get(0).ownedBy()).isEqualTo("vllm");
        assertThat(vllm.takeRequest().path()).isEqualTo("/v1/models");
    }

    @Test
    void retrieving_a_model_returns_it_and_an_unknown_one_is_not_found() {
        Model model = sdk.models().retrieve("Qwen/Qwen3-0.6B");
        assertThat(model.id()).isEqualTo("Qwen/Qwen3-0.6B");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sdk.models().retrieve("no-such-model"))
                .isInstanceOf(com.openai.errors.NotFoundException.class)
                .satisfies(e -> assertThat(((com.openai.errors.NotFoundException) e).code())
                        .contains("model_not_found"));
    }
}
