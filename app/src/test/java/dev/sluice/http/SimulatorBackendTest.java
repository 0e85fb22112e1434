package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.embeddings.EmbeddingCreateParams.EncodingFormat;
import dev.sluice.testing.Gateway;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** BACKEND_KIND=sim: the built-in simulator answers every OpenAI endpoint through the real pipeline. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SimulatorBackendTest {
    private Gateway gateway;
    private OpenAIClient sdk;

    @BeforeAll
    void start() {
        gateway = Gateway.builder().env("BACKEND_KIND", "sim").env("API_KEYS", "k1").env("SIM_TTFT_MS", "5")
                .env("SIM_TOKENS_PER_S", "0").env("SIM_EMBEDDING_DIM", "16").start();
        sdk = gateway.openAi("k1");
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder().model("sim").addUserMessage("Hello?").maxTokens(12);
    }

    private static ChatCompletionCreateParams.Builder withTool(ChatCompletionCreateParams.Builder b) {
        return b.addFunctionTool(FunctionDefinition.builder().name("get_weather")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of(
                                "city", Map.of("type", "string"),
                                "days", Map.of("type", "integer"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city", "days")))
                        .build())
                .build());
    }

    @Test
    void a_plain_chat_gets_the_simulator_text() {
        ChatCompletion c = sdk.chat().completions().create(chat().build());

        assertThat(c.model()).isEqualTo("sim");
        assertThat(c.choices().get(0).message().content()).get().asString()
                .startsWith("Hello from the Sluice simulator");
        assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("length");
        assertThat(c.usage().get().completionTokens()).isEqualTo(12);
    }

    @Test
    void a_streamed_chat_delivers_the_same_text_in_deltas() {
        String whole = sdk.chat().completions().create(chat().build()).choices().get(0).message().content().get();

        StringBuilder streamed = new StringBuilder();
        int deltas = 0;
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions().createStreaming(chat().build())) {
            for (ChatCompletionChunk c : (Iterable<ChatCompletionChunk>) s.stream()::iterator) {
                acc.accumulate(c);
                for (var choice : c.choices()) {
                    if (choice.delta().content().filter(t -> !t.isEmpty()).isPresent()) {
                        streamed.append(choice.delta().content().get());
                        deltas++;
                    }
                }
                assertThat(c.usage()).as("no usage chunk unasked").isEmpty();
            }
        }

        assertThat(streamed.toString()).isEqualTo(whole);
        assertThat(deltas).isEqualTo(12);
        assertThat(acc.chatCompletion().choices().get(0).message().content()).contains(whole);
    }

    @Test
    void a_chat_with_tools_gets_a_tool_call_with_the_required_arguments() {
        ChatCompletion c = sdk.chat().completions().create(withTool(chat()).build());

        assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("tool_calls");
        ChatCompletionMessageFunctionToolCall call = c.choices().get(0).message().toolCalls().get().get(0).asFunction();
        assertThat(call.function().name()).isEqualTo("get_weather");
        JsonNode args = Gateway.json(call.function().arguments());
        assertThat(args.has("city")).isTrue();
        assertThat(args.path("days").isNumber()).isTrue();
    }

    @Test
    void a_streamed_tool_call_accumulates_in_the_sdk() {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions()
                .createStreaming(withTool(chat()).build())) {
            s.stream().forEach(acc::accumulate);
        }

        var choice = acc.chatCompletion().choices().get(0);
        assertThat(choice.finishReason().asString()).isEqualTo("tool_calls");
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().get().get(0).asFunction();
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.id()).isNotBlank();
        assertThat(Gateway.json(call.function().arguments()).has("city")).isTrue();
    }

    @Test
    void a_legacy_completion_is_answered() {
        Completion c = sdk.completions().create(CompletionCreateParams.builder().model("sim").prompt("Once")
                .maxTokens(5).build());

        assertThat(c.choices().get(0).text()).startsWith("Hello from the Sluice");
        assertThat(c.usage().get().completionTokens()).isEqualTo(5);
    }

    @Test
    void embeddings_come_back_as_floats_or_base64_and_decode_to_the_same_vector() {
        EmbeddingCreateParams.Builder p = EmbeddingCreateParams.builder().model("sim").input("same text");

        CreateEmbeddingResponse floats = sdk.embeddings().create(p.encodingFormat(EncodingFormat.FLOAT).build());
        CreateEmbeddingResponse base64 = sdk.embeddings().create(p.encodingFormat(EncodingFormat.BASE64).build());

        assertThat(floats.data().get(0).embeddingValue().isFloats()).isTrue();
        assertThat(base64.data().get(0).embeddingValue().isBase64()).isTrue();
        assertThat(floats.data().get(0).embedding()).hasSize(16);
        assertThat(base64.data().get(0).embedding()).isEqualTo(floats.data().get(0).embedding());
    }

    @Test
    void the_model_list_names_the_simulator() {
        assertThat(sdk.models().list().data()).extracting(m -> m.id()).containsExactly("sim");
    }

    @Test
    void the_responses_api_gets_the_simulator_text_whole_and_streamed() {
        com.openai.models.responses.ResponseCreateParams params = com.openai.models.responses.ResponseCreateParams
                .builder().model("sim").input("Hello?").maxOutputTokens(12L).build();
        com.openai.models.responses.Response whole = sdk.responses().create(params);
        String text = whole.output().stream().flatMap(i -> i.message().stream()).flatMap(m -> m.content().stream())
                .flatMap(c -> c.outputText().stream()).map(t -> t.text()).reduce("", String::concat);
        assertThat(text).startsWith("Hello from the Sluice simulator");
        assertThat(whole.status()).map(st -> st.asString()).contains("incomplete");

        com.openai.helpers.ResponseAccumulator acc = com.openai.helpers.ResponseAccumulator.create();
        try (var s = sdk.responses().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        String streamed = acc.response().output().stream().flatMap(i -> i.message().stream())
                .flatMap(m -> m.content().stream()).flatMap(c -> c.outputText().stream()).map(t -> t.text())
                .reduce("", String::concat);
        assertThat(streamed).isEqualTo(text);
    }
}
