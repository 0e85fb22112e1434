package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.embeddings.EmbeddingCreateParams.EncodingFormat;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Fixtures;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Embeddings through the openai-java SDK, float and base64 (protocols.md §2.6): runtimes that can encode
 * base64 themselves (vLLM, Ollama) get the client's choice passed through; for the others (llama.cpp,
 * SGLang) the gateway asks for floats and encodes little-endian float32 base64 itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class EmbeddingsEncodingTest {
    private static final String FLOATS = "openai/embeddings-float.json";

    private FakeRuntime vllm;
    private FakeRuntime ollama;
    private FakeRuntime llamacpp;
    private FakeRuntime sglang;
    private Gateway vllmGateway;
    private Gateway ollamaGateway;
    private Gateway llamacppGateway;
    private Gateway sglangGateway;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        ollama = FakeRuntime.ollama();
        llamacpp = FakeRuntime.llamacpp();
        sglang = FakeRuntime.sglang();
        vllmGateway = Gateway.in(vllm);
        ollamaGateway = Gateway.in(ollama);
        llamacppGateway = Gateway.in(llamacpp);
        sglangGateway = Gateway.in(sglang);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {vllmGateway, ollamaGateway, llamacppGateway, sglangGateway, vllm,
                ollama, llamacpp, sglang}) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @BeforeEach
    void reset() {
        vllm.reset();
        ollama.reset();
        llamacpp.reset();
        sglang.reset();
    }

    /** The recorded vector, as the float32 values a client decodes. */
    private static List<Float> recordedVector() {
        JsonNode emb = Gateway.json(Fixtures.text(FLOATS)).at("/data/0/embedding");
        List<Float> out = new ArrayList<>();
        emb.forEach(f -> out.add((float) f.asDouble()));
        return out;
    }

    private static String base64(List<Float> floats) {
        ByteBuffer bb = ByteBuffer.allocate(floats.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        floats.forEach(bb::putFloat);
        return Base64.getEncoder().encodeToString(bb.array());
    }

    private static String base64Body(List<Float> floats) {
        return "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":\"" + base64(floats)
                + "\"}],\"model\":\"emb\",\"usage\":{\"prompt_tokens\":7,\"total_tokens\":7}}";
    }

    private static EmbeddingCreateParams.Builder params() {
        return EmbeddingCreateParams.builder().model("emb").input("The food was delicious and the waiter...");
    }

    @Test
    void llamacpp_floats_become_the_base64_the_sdk_asked_for_and_decode_to_the_same_vector() throws Exception {
        llamacpp.enqueue(Reply.fixture(FLOATS));
        OpenAIClient sdk = llamacppGateway.openAi("unused");

        CreateEmbeddingResponse res = sdk.embeddings().create(params().encodingFormat(EncodingFormat.BASE64).build());

        assertThat(res.data()).hasSize(1);
        assertThat(res.data().get(0).embeddingValue().isBase64()).as("the gateway answered base64").isTrue();
        assertThat(res.data().get(0).embedding()).containsExactlyElementsOf(recordedVector());
        RecordedRequest req = llamacpp.takeRequest();
        assertThat(req.path()).isEqualTo("/v1/embeddings");
        assertThat(req.json().has("encoding_format")).as("llama.cpp is asked for its default, floats").isFalse();
        assertThat(req.json().path("input").asText()).startsWith("The food was delicious");
    }

    @Test
    void llamacpp_floats_reach_a_client_that_asked_for_floats_unchanged() throws Exception {
        llamacpp.enqueue(Reply.fixture(FLOATS));

        HttpResponse<String> res = llamacppGateway.post("/v1/embeddings",
                "{\"model\":\"emb\",\"input\":\"hi\",\"encoding_format\":\"float\"}");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo(Fixtures.text(FLOATS));
        assertThat(llamacpp.takeRequest().json().path("encoding_format").asText()).isEqualTo("float");
    }

    @Test
    void the_sdk_default_request_decodes_to_the_recorded_vector_behind_llamacpp() throws Exception {
        llamacpp.enqueue(Reply.fixture(FLOATS));
        OpenAIClient sdk = llamacppGateway.openAi("unused");

        CreateEmbeddingResponse res = sdk.embeddings().create(params().build());

        assertThat(res.data().get(0).embedding()).containsExactlyElementsOf(recordedVector());
        JsonNode sent = llamacpp.takeRequest().json();
        assertThat(sent.path("encoding_format").asText("")).as("never base64 to llama.cpp").isNotEqualTo("base64");
    }

    @Test
    void sglang_floats_are_also_converted_to_base64() throws Exception {
        sglang.enqueue(Reply.fixture(FLOATS));

        HttpResponse<String> res = sglangGateway.post("/v1/embeddings",
                "{\"model\":\"emb\",\"input\":\"hi\",\"encoding_format\":\"base64\"}");

        assertThat(res.statusCode()).isEqualTo(200);
        JsonNode body = Gateway.json(res);
        assertThat(body.at("/data/0/embedding").isTextual()).isTrue();
        assertThat(body.at("/data/0/embedding").asText()).isEqualTo(base64(recordedVector()));
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(7);
        assertThat(sglang.takeRequest().json().has("encoding_format")).isFalse();
    }

    @Test
    void vllm_gets_base64_passed_through_and_its_base64_answer_reaches_the_sdk() throws Exception {
        List<Float> vector = List.of(0.5f, -1.25f, 3.0f, 1e-3f);
        vllm.enqueue(Reply.json(base64Body(vector)));
        OpenAIClient sdk = vllmGateway.openAi("unused");

        CreateEmbeddingResponse res = sdk.embeddings().create(params().encodingFormat(EncodingFormat.BASE64).build());

        assertThat(res.data().get(0).embedding()).containsExactlyElementsOf(vector);
        assertThat(vllm.takeRequest().json().path("encoding_format").asText()).isEqualTo("base64");
    }

    @Test
    void vllm_floats_reach_an_sdk_that_asked_for_floats() throws Exception {
        vllm.enqueue(Reply.fixture(FLOATS));
        OpenAIClient sdk = vllmGateway.openAi("unused");

        CreateEmbeddingResponse res = sdk.embeddings().create(params().encodingFormat(EncodingFormat.FLOAT).build());

        assertThat(res.data().get(0).embeddingValue().isFloats()).isTrue();
        assertThat(res.data().get(0).embedding()).containsExactlyElementsOf(recordedVector());
        assertThat(vllm.takeRequest().json().path("encoding_format").asText()).isEqualTo("float");
    }

    @Test
    void ollama_gets_base64_passed_through_unchanged() throws Exception {
        List<Float> vector = List.of(0.25f, 0.75f);
        String body = base64Body(vector);
        ollama.enqueue(Reply.json(body));

        HttpResponse<String> res = ollamaGateway.post("/v1/embeddings",
                "{\"model\":\"nomic-embed-text\",\"input\":[\"a\"],\"encoding_format\":\"base64\"}");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo(body);
        RecordedRequest req = ollama.takeRequest();
        assertThat(req.bodyText())
                .isEqualTo("{\"model\":\"nomic-embed-text\",\"input\":[\"a\"],\"encoding_format\":\"base64\"}");
    }
}
