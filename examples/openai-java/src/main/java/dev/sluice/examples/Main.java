package dev.sluice.examples;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import java.util.List;
import java.util.Map;

/**
 * The official OpenAI Java SDK against Sluice: a chat completion, a streamed one accumulated into a
 * whole completion, and a tool call answered with a tool result.
 *
 * <p>Environment: SLUICE_URL (default http://127.0.0.1:8000), SLUICE_API_KEY (optional), SLUICE_MODEL
 * (default sim, the built-in simulator).
 */
public final class Main {
    public static void main(String[] args) {
        String url = env("SLUICE_URL", "http://127.0.0.1:8000").replaceAll("/+$", "");
        String model = env("SLUICE_MODEL", "sim");

        // The SDK insists on a key; with auth off the gateway ignores whatever is sent.
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl(url + "/v1")
                .apiKey(env("SLUICE_API_KEY", "unused"))
                .maxRetries(2) // the SDK default, shown because the gateway sends Retry-After with 429 and 503
                .build();
        try {
            chat(client, model);
            stream(client, model);
            tools(client, model);
        } finally {
            client.close();
        }
    }

    static void chat(OpenAIClient client, String model) {
        System.out.println("== chat");
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(model)
                .maxCompletionTokens(64)
                .addUserMessage("Say hello in one sentence.")
                .build();
        ChatCompletion completion = client.chat().completions().create(params);
        System.out.println(completion.choices().get(0).message().content().orElse(""));
        completion.usage().ifPresent(u -> System.out.println("usage: " + u.promptTokens() + " in, "
                + u.completionTokens() + " out"));
    }

    static void stream(OpenAIClient client, String model) {
        System.out.println();
        System.out.println("== stream");
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(model)
                .maxCompletionTokens(64)
                .addUserMessage("Count to five.")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                accumulator.accumulate(chunk);
                for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                    choice.delta().content().ifPresent(text -> {
                        System.out.print(text);
                        System.out.flush();
                    });
                }
            });
        }
        System.out.println();
        ChatCompletion whole = accumulator.chatCompletion();
        System.out.println("accumulated: finish_reason=" + whole.choices().get(0).finishReason()
                + ", " + whole.choices().get(0).message().content().orElse("").length() + " characters"
                + whole.usage().map(u -> ", usage " + u.promptTokens() + " in / " + u.completionTokens() + " out")
                        .orElse(""));
    }

    static void tools(OpenAIClient client, String model) {
        System.out.println();
        System.out.println("== tools");
        FunctionDefinition getWeather = FunctionDefinition.builder()
                .name("get_weather")
                .description("Current weather for a city")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                        .build())
                .build();
        ChatCompletionCreateParams.Builder conversation = ChatCompletionCreateParams.builder()
                .model(model)
                .addFunctionTool(getWeather)
                .addUserMessage("What is the weather in Paris?");

        ChatCompletionMessage reply = client.chat().completions().create(conversation.build())
                .choices().get(0).message();
        List<ChatCompletionMessageToolCall> calls = reply.toolCalls().orElse(List.of());
        if (calls.isEmpty()) {
            System.out.println("the model answered without calling the tool: " + reply.content().orElse(""));
            return;
        }
        conversation.addMessage(reply); // the assistant turn with its tool calls goes back into the history
        for (ChatCompletionMessageToolCall call : calls) {
            ChatCompletionMessageFunctionToolCall fn = call.asFunction();
            System.out.println("tool call " + fn.id() + ": " + fn.function().name() + "(" + fn.function().arguments()
                    + ")");
            conversation.addMessage(ChatCompletionToolMessageParam.builder()
                    .toolCallId(fn.id())
                    .content("18 C and sunny") // what running the tool would have returned
                    .build());
        }
        ChatCompletion answer = client.chat().completions().create(conversation.build());
        System.out.println("answer: " + answer.choices().get(0).message().content().orElse(""));
    }

    private static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v.trim();
    }
}
