package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.BackendProfile;
import dev.sluice.endpoint.Capabilities;
import dev.sluice.backend.BackendKind;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.translate.OpenAiPassthroughRequest.Endpoint;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiPassthroughRequestTest {
    private static final ChatTarget VLLM = Capabilities.of(BackendProfile.of(BackendKind.VLLM));
    private static final ChatTarget OLLAMA = Capabilities.of(BackendProfile.of(BackendKind.OLLAMA));
    private static final ChatTarget TGI = Capabilities.of(BackendProfile.of(BackendKind.TGI));
    private static final ChatTarget LLAMACPP = Capabilities.of(BackendProfile.of(BackendKind.LLAMACPP));

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static PreparedRequest prepare(Endpoint endpoint, String body, ChatTarget profile, String configuredModel) {
        byte[] raw = utf8(body);
        return OpenAiPassthroughRequest.prepare(endpoint, raw, OpenAiPassthroughRequest.parse(raw), profile,
                configuredModel);
    }

    static PreparedRequest chat(String body, ChatTarget profile) {
        return prepare(Endpoint.CHAT, body, profile, null);
    }

    static JsonNode sent(PreparedRequest p) throws Exception {
        return Json.parse(p.body());
    }

    static GatewayException rejected(Endpoint endpoint, String body, ChatTarget profile, String configuredModel) {
        GatewayException e = catchThrowableOfType(GatewayException.class,
                () -> prepare(endpoint, body, profile, configuredModel));
        assertThat(e).as("expected a GatewayException").isNotNull();
        return e;
    }

    // --- nothing to change: the client's bytes go upstream as they are ---

    @Test
    void forwardsTheClientsOwnBytesWhenNothingChanges() {
        String body = "{ \"model\" : \"qwen\",\n  \"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + " \"temperature\": 0.70, \"x_vendor\": {\"a\": [1, 2]} }";
        byte[] raw = utf8(body);

        PreparedRequest p = OpenAiPassthroughRequest.prepare(Endpoint.CHAT, raw, OpenAiPassthroughRequest.parse(raw),
                VLLM, (String) null);

        assertThat(p.body()).isSameAs(raw);
        assertThat(p.stream()).isFalse();
        assertThat(p.clientModel()).isEqualTo("qwen");
        assertThat(p.rewriteModelTo()).isNull();
        assertThat(p.clientWantsUsage()).isFalse();
        assertThat(p.base64Embeddings()).isFalse();
    }

    @Test
    void aStreamThatAlreadyAsksForUsageIsForwardedUntouched() {
        byte[] raw = utf8("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}");

        PreparedRequest p = OpenAiPassthroughRequest.prepare(Endpoint.CHAT, raw, OpenAiPassthroughRequest.parse(raw),
                VLLM, (String) null);

        assertThat(p.body()).isSameAs(raw);
        assertThat(p.stream()).isTrue();
        assertThat(p.clientWantsUsage()).isTrue();
    }

    @Test
    void keepsFieldsTheGatewayDoesNotModelWhenItRewritesTheBody() throws Exception {
        PreparedRequest p = chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,"
                + "\"top_k\":20,\"chat_template_kwargs\":{\"enable_thinking\":false},\"seed\":7,"
                + "\"response_format\":{\"type\":\"json_object\"}}", VLLM);

        JsonNode sent = sent(p);
        assertThat(sent.get("top_k").asInt()).isEqualTo(20);
        assertThat(sent.at("/chat_template_kwargs/enable_thinking").asBoolean(true)).isFalse();
        assertThat(sent.get("seed").asInt()).isEqualTo(7);
        assertThat(sent.at("/response_format/type").asText()).isEqualTo("json_object");
        assertThat(sent.at("/messages/0/content").asText()).isEqualTo("hi");
    }

    // --- model ---

    @Test
    void aModelIsRequiredWhenTheGatewayServesWhateverTheClientNames() {
        GatewayException e = rejected(Endpoint.CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", VLLM,
                null);

        assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.getMessage()).contains("'model' is required", "GET /v1/models");
    }

    @Test
    void aMissingModelIsFilledInWithTheConfiguredOne() throws Exception {
        PreparedRequest p = prepare(Endpoint.CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", VLLM,
                "qwen");

        assertThat(sent(p).get("model").asText()).isEqualTo("qwen");
        assertThat(p.clientModel()).isEqualTo("qwen");
    }

    @Test
    void anotherModelThanTheConfiguredOneIsA404ModelNotFound() {
        GatewayException e = rejected(Endpoint.CHAT,
                "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", VLLM, "qwen");

        assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.code()).isEqualTo("model_not_found");
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.getMessage()).contains("'gpt-4o'", "'qwen'");
    }

    @ParameterizedTest(name = "model {0}")
    @ValueSource(strings = {"42", "null", "[\"m\"]", "{\"id\":\"m\"}"})
    void aModelThatIsNotAStringIsRefused(String model) {
        GatewayException e = rejected(Endpoint.CHAT,
                "{\"model\":" + model + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", VLLM, null);

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("model");
    }

    @Test
    void tgiIsSentModelTgiAndTheClientsNameIsRestoredInResponses() throws Exception {
        PreparedRequest p = chat("{\"model\":\"my-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", TGI);

        assertThat(sent(p).get("model").asText()).isEqualTo("tgi");
        assertThat(p.clientModel()).isEqualTo("my-llama");
        assertThat(p.rewriteModelTo()).isEqualTo("my-llama");
    }

    @Test
    void tgiGetsModelTgiEvenWhenTheModelComesFromConfig() throws Exception {
        PreparedRequest p = prepare(Endpoint.CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", TGI,
                "my-llama");

        assertThat(sent(p).get("model").asText()).isEqualTo("tgi");
        assertThat(p.rewriteModelTo()).isEqualTo("my-llama");
    }

    // --- stream_options ---

    @Test
    void streamOptionsAreRemovedFromANonStreamingRequest() throws Exception {
        PreparedRequest p = chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"stream\":false,\"stream_options\":{\"include_usage\":true}}", VLLM);

        assertThat(sent(p).has("stream_options")).as("vLLM answers 400 to stream_options without stream").isFalse();
        assertThat(p.stream()).isFalse();
        assertThat(p.clientWantsUsage()).isFalse();
    }

    @Test
    void streamOptionsAreRemovedWhenStreamIsAbsent() throws Exception {
        PreparedRequest p = chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"stream_options\":{\"include_usage\":true}}", VLLM);

        assertThat(sent(p).has("stream_options")).isFalse();
    }

    @ParameterizedTest(name = "stream_options {0}")
    @ValueSource(strings = {"", ",\"stream_options\":{}", ",\"stream_options\":{\"include_usage\":false}",
            ",\"stream_options\":null", ",\"stream_options\":{\"include_usage\":false,\"continuous_usage_stats\":true}"})
    void aStreamAlwaysAsksTheBackendForUsageButRemembersTheClientDidNot(String options) throws Exception {
        PreparedRequest p = chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true"
                + options + "}", VLLM);

        JsonNode sent = sent(p);
        assertThat(sent.at("/stream_options/include_usage").asBoolean(false)).isTrue();
        assertThat(p.stream()).isTrue();
        assertThat(p.clientWantsUsage()).isFalse();
        if (options.contains("continuous_usage_stats")) {
            assertThat(sent.at("/stream_options/continuous_usage_stats").asBoolean(false)).isTrue();
        }
    }

    @ParameterizedTest(name = "stream {0}")
    @ValueSource(strings = {"\"yes\"", "1", "{}"})
    void aStreamFlagThatIsNotABooleanIsRefused(String stream) {
        GatewayException e = rejected(Endpoint.CHAT,
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":" + stream + "}", VLLM,
                null);

        assertThat(e.param()).isEqualTo("stream");
    }

    @Test
    void embeddingsNeverStream() {
        PreparedRequest p = prepare(Endpoint.EMBEDDINGS, "{\"model\":\"e\",\"input\":\"hi\",\"stream\":true}", VLLM,
                null);

        assertThat(p.stream()).isFalse();
    }

    // --- n ---

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = BackendKind.class, names = {"OLLAMA", "LLAMACPP", "TGI", "LOCALAI", "LMSTUDIO",
            "DOCKER_MODEL_RUNNER", "SIM"})
    void moreThanOneChoiceIsRefusedWhereTheRuntimeCannotGiveThem(BackendKind kind) {
        GatewayException e = rejected(Endpoint.CHAT,
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":2}",
                Capabilities.of(BackendProfile.of(kind)), null);

        assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(e.param()).isEqualTo("n");
        assertThat(e.getMessage()).contains("n=2", kind.id());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = BackendKind.class, names = {"VLLM", "SGLANG", "OPENAI"})
    void moreThanOneChoiceIsForwardedWhereTheRuntimeSupportsIt(BackendKind kind) throws Exception {
        PreparedRequest p = chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":3}",
                Capabilities.of(BackendProfile.of(kind)));

        assertThat(sent(p).get("n").asInt()).isEqualTo(3);
    }

    @Test
    void nOfOneIsFineEverywhere() {
        PreparedRequest p = chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":1}",
                LLAMACPP);

        assertThat(p.stream()).isFalse();
    }

    // --- max tokens ---

    @Test
    void ollamaGetsMaxCompletionTokensCopiedToMaxTokens() throws Exception {
        PreparedRequest p = chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"max_completion_tokens\":64}", OLLAMA);

        JsonNode sent = sent(p);
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(64);
        assertThat(sent.get("max_completion_tokens").asInt()).isEqualTo(64);
    }

    @Test
    void anExplicitMaxTokensWinsOnOllama() throws Exception {
        PreparedRequest p = chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"max_completion_tokens\":64,\"max_tokens\":32}", OLLAMA);

        assertThat(sent(p).get("max_tokens").asInt()).isEqualTo(32);
    }

    @Test
    void otherRuntimesKeepMaxCompletionTokensAlone() throws Exception {
        PreparedRequest p = chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"max_completion_tokens\":64}", VLLM);

        assertThat(sent(p).has("max_tokens")).isFalse();
    }

    // --- embeddings ---

    @ParameterizedTest(name = "{0}")
    @CsvSource({"LLAMACPP, true", "SGLANG, true", "LOCALAI, true", "SIM, true", "VLLM, false", "OLLAMA, false",
            "OPENAI, false"})
    void base64EmbeddingsAreConvertedByTheGatewayWhereTheRuntimeCannot(BackendKind kind, boolean gatewayConverts)
            throws Exception {
        PreparedRequest p = prepare(Endpoint.EMBEDDINGS,
                "{\"model\":\"e\",\"input\":[\"a\",\"b\"],\"encoding_format\":\"base64\"}", Capabilities.of(BackendProfile.of(kind)),
                null);

        assertThat(p.base64Embeddings()).isEqualTo(gatewayConverts);
        assertThat(sent(p).has("encoding_format")).isEqualTo(!gatewayConverts);
    }

    @Test
    void floatEmbeddingsNeedNoConversion() {
        PreparedRequest p = prepare(Endpoint.EMBEDDINGS, "{\"model\":\"e\",\"input\":\"a\",\"encoding_format\":\"float\"}",
                LLAMACPP, null);

        assertThat(p.base64Embeddings()).isFalse();
    }

    // --- required fields ---

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "CHAT        | {\"model\":\"m\"}                      | messages",
            "CHAT        | {\"model\":\"m\",\"messages\":[]}      | messages",
            "CHAT        | {\"model\":\"m\",\"messages\":\"hi\"}  | messages",
            "CHAT        | {\"model\":\"m\",\"messages\":null}    | messages",
            "COMPLETIONS | {\"model\":\"m\"}                      | prompt",
            "EMBEDDINGS  | {\"model\":\"m\",\"input\":null}       | input",
    })
    void eachEndpointRequiresItsOwnField(Endpoint endpoint, String body, String field) {
        GatewayException e = rejected(endpoint, body, VLLM, null);

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).isEqualTo(field);
        assertThat(e.getMessage()).contains("'" + field + "' is required");
    }

    // --- parse ---

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "''                        | the request body is empty",
            "'{\"model\": '            | the request body is not valid JSON",
            "'{\"model\":\"m\",}'      | the request body is not valid JSON",
            "'not json'                | the request body is not valid JSON",
            "'[1,2]'                   | the request body must be a JSON object",
            "'\"text\"'                | the request body must be a JSON object",
            "'42'                      | the request body must be a JSON object",
            "'null'                    | the request body must be a JSON object",
    })
    void aBodyThatIsNotAJsonObjectIsA400SayingWhy(String body, String message) {
        GatewayException e = catchThrowableOfType(GatewayException.class,
                () -> OpenAiPassthroughRequest.parse(utf8(body)));

        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith(message);
        assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(300);
    }

    @Test
    void aNullBodyIsEmpty() {
        GatewayException e = catchThrowableOfType(GatewayException.class, () -> OpenAiPassthroughRequest.parse(null));

        assertThat(e.getMessage()).contains("empty");
    }

    @Test
    void aDeeplyNestedBodyIsRefusedNotAStackOverflow() {
        String deep = "{\"a\":".repeat(5000) + "1" + "}".repeat(5000);

        GatewayException e = catchThrowableOfType(GatewayException.class,
                () -> OpenAiPassthroughRequest.parse(utf8(deep)));

        assertThat(e).isNotNull();
        assertThat(e.status()).isEqualTo(400);
    }

    @Test
    void parseReturnsTheObject() {
        ObjectNode o = OpenAiPassthroughRequest.parse(utf8("{\"model\":\"m\"}"));

        assertThat(o.get("model").asText()).isEqualTo("m");
    }
}
