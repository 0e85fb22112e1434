package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseStreamEvent;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.Reply;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Responses API over each runtime dialect's chat API: a recorded (or, where none was recorded, a scripted)
 * streamed tool call from the runtime becomes one {@code function_call} item in openai-java's accumulated
 * Response, with the runtime's name and complete arguments.
 */
class ResponsesAcrossRuntimesTest {
    private static final String SCRIPTED = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}";

    static Stream<Arguments> runtimes() {
        Reply.Sse scripted = Reply.sse()
                .data(SCRIPTED.formatted("{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"call_1234567\","
                        + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", "null"))
                .data(SCRIPTED.formatted("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                        + "\"{\\\"location\\\":\"}}]}", "null"))
                .data(SCRIPTED.formatted("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                        + "\"\\\"Paris\\\"}\"}}]}", "null"))
                .data(SCRIPTED.formatted("{}", "\"tool_calls\""));
        return Stream.of(
                Arguments.of(FakeRuntime.Dialect.VLLM, Reply.sseFixture("vllm/chat-stream-tool-call.sse"), "get_time"),
                Arguments.of(FakeRuntime.Dialect.OLLAMA, Reply.sseFixture("ollama/chat-stream-tool-call.sse"),
                        "get_weather"),
                Arguments.of(FakeRuntime.Dialect.TGI, Reply.sseFixture("tgi/chat-stream-tool-call.sse"),
                        "get_current_weather"),
                Arguments.of(FakeRuntime.Dialect.LLAMACPP, scripted, "get_weather"),
                Arguments.of(FakeRuntime.Dialect.SGLANG, scripted, "get_weather"),
                Arguments.of(FakeRuntime.Dialect.LOCALAI, scripted, "get_weather"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void a_streamed_tool_call_becomes_one_complete_function_call_item(FakeRuntime.Dialect dialect, Reply.Sse stream,
            String tool) throws Exception {
        try (FakeRuntime runtime = FakeRuntime.of(dialect); Gateway gateway = Gateway.in(runtime)) {
            runtime.enqueue(stream);
            OpenAIClient sdk = gateway.openAi("unused");
            FunctionTool fn = FunctionTool.builder().name(tool).strict(false)
                    .parameters(FunctionTool.Parameters.builder()
                            .putAdditionalProperty("type", JsonValue.from("object"))
                            .putAdditionalProperty("properties", JsonValue.from(Map.of())).build()).build();

            ResponseAccumulator acc = ResponseAccumulator.create();
            try (StreamResponse<ResponseStreamEvent> s = sdk.responses().createStreaming(ResponseCreateParams
                    .builder().model("m").input("What now?").addTool(fn).build())) {
                s.stream().forEach(acc::accumulate);
            }

            Response r = acc.response();
            ResponseFunctionToolCall call = r.output().stream().flatMap(i -> i.functionCall().stream())
                    .findFirst().orElseThrow();
            assertThat(call.name()).isEqualTo(tool);
            assertThat(Gateway.json(call.arguments()).isObject()).as("complete JSON arguments").isTrue();
            assertThat(call.callId()).isNotBlank();
            assertThat(runtime.takeRequest().json().at("/tools/0/function/name").asText()).isEqualTo(tool);
        }
    }
}
