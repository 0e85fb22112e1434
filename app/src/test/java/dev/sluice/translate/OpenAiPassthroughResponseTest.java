package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.protocol.Json;
import dev.sluice.testing.TestResources;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class OpenAiPassthroughResponseTest {

    static PreparedRequest prepared(String rewriteModelTo, boolean base64) {
        return new PreparedRequest(new byte[0], false, "client-model", rewriteModelTo, false, base64);
    }

    static float[] decode(String b64) {
        ByteBuffer bb = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[bb.remaining() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = bb.getFloat();
        }
        return out;
    }

    @Test
    void base64ConversionDecodesToTheSameFloat32Vector() throws Exception {
        byte[] body = TestResources.bytes("fixtures/openai/embeddings-float.json");
        JsonNode original = Json.parse(body);

        OpenAiPassthroughResponse.Shaped shaped = OpenAiPassthroughResponse.shape(body, prepared(null, true));

        JsonNode converted = Json.parse(shaped.body());
        assertThat(converted.get("data")).hasSameSizeAs(original.get("data"));
        for (int i = 0; i < original.get("data").size(); i++) {
            JsonNode floats = original.get("data").get(i).get("embedding");
            JsonNode b64 = converted.get("data").get(i).get("embedding");
            assertThat(b64.isTextual()).isTrue();
            float[] decoded = decode(b64.asText());
            assertThat(decoded).hasSize(floats.size());
            for (int j = 0; j < decoded.length; j++) {
                assertThat(decoded[j]).as("component %d", j).isEqualTo((float) floats.get(j).asDouble());
            }
            assertThat(converted.get("data").get(i).get("index")).isEqualTo(original.get("data").get(i).get("index"));
        }
        assertThat(converted.get("usage")).isEqualTo(original.get("usage"));
        assertThat(converted.get("model")).isEqualTo(original.get("model"));
    }

    @Test
    void base64IsLittleEndianFloat32() {
        byte[] body = "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[1.0,-2.5]}]}"
                .getBytes(StandardCharsets.UTF_8);

        JsonNode out = Json.tryParse(OpenAiPassthroughResponse.shape(body, prepared(null, true)).body());

        // 1.0f = 0x3F800000, -2.5f = 0xC0200000, little-endian byte order
        byte[] expected = {0, 0, (byte) 0x80, 0x3F, 0, 0, 0x20, (byte) 0xC0};
        assertThat(Base64.getDecoder().decode(out.at("/data/0/embedding").asText())).isEqualTo(expected);
    }

    @Test
    void anEmbeddingAlreadyInBase64IsLeftAlone() {
        String b64 = Base64.getEncoder().encodeToString(new byte[] {0, 0, (byte) 0x80, 0x3F});
        byte[] body = ("{\"data\":[{\"index\":0,\"embedding\":\"" + b64 + "\"}]}").getBytes(StandardCharsets.UTF_8);

        JsonNode out = Json.tryParse(OpenAiPassthroughResponse.shape(body, prepared(null, true)).body());

        assertThat(out.at("/data/0/embedding").asText()).isEqualTo(b64);
    }

    @Test
    void theModelNameIsRestoredToTheClients() {
        byte[] body = ("{\"id\":\"\",\"object\":\"chat.completion\",\"model\":\"meta-llama/Llama-3.1-8B-Instruct\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,"
                + "\"total_tokens\":6}}").getBytes(StandardCharsets.UTF_8);

        OpenAiPassthroughResponse.Shaped shaped = OpenAiPassthroughResponse.shape(body, prepared("my-llama", false));

        JsonNode out = Json.tryParse(shaped.body());
        assertThat(out.get("model").asText()).isEqualTo("my-llama");
        assertThat(out.at("/choices/0/message/content").asText()).isEqualTo("hi");
        assertThat(shaped.promptTokens()).isEqualTo(5);
        assertThat(shaped.completionTokens()).isEqualTo(1);
    }

    @Test
    void aBodyWithoutAModelFieldGetsNoneAdded() {
        byte[] body = "{\"object\":\"list\",\"data\":[]}".getBytes(StandardCharsets.UTF_8);

        JsonNode out = Json.tryParse(OpenAiPassthroughResponse.shape(body, prepared("my-llama", false)).body());

        assertThat(out.has("model")).isFalse();
    }

    @Test
    void bytesAreForwardedUnchangedWhenNothingMustChangeAndUsageIsStillRead() {
        byte[] body = TestResources.bytes("fixtures/openai/embeddings-float.json");

        OpenAiPassthroughResponse.Shaped shaped = OpenAiPassthroughResponse.shape(body, prepared(null, false));

        assertThat(shaped.body()).isSameAs(body);
        JsonNode usage = Json.tryParse(body).get("usage");
        assertThat(shaped.promptTokens()).isEqualTo(usage.get("prompt_tokens").asLong());
        assertThat(shaped.completionTokens()).as("embeddings have no completion tokens").isZero();
    }

    @Test
    void usageIsUnknownWhenTheBodyHasNone() {
        byte[] body = "{\"id\":\"x\",\"choices\":[]}".getBytes(StandardCharsets.UTF_8);

        OpenAiPassthroughResponse.Shaped shaped = OpenAiPassthroughResponse.shape(body, prepared(null, false));

        assertThat(shaped.promptTokens()).isEqualTo(-1);
        assertThat(shaped.completionTokens()).isEqualTo(-1);
    }

    @Test
    void aBodyThatIsNotJsonIsForwardedAsItCame() {
        byte[] body = "upstream said something odd".getBytes(StandardCharsets.UTF_8);

        OpenAiPassthroughResponse.Shaped shaped = OpenAiPassthroughResponse.shape(body, prepared("my-llama", true));

        assertThat(shaped.body()).isSameAs(body);
        assertThat(shaped.promptTokens()).isEqualTo(-1);
    }

    @Test
    void aVeryLargeBodyIsNotParsedJustForUsage() {
        String big = "{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4},\"pad\":\"" + "p".repeat(300_000) + "\"}";
        byte[] body = big.getBytes(StandardCharsets.UTF_8);

        OpenAiPassthroughResponse.Shaped shaped = OpenAiPassthroughResponse.shape(body, prepared(null, false));

        assertThat(shaped.body()).isSameAs(body);
        assertThat(shaped.promptTokens()).isEqualTo(-1);
    }
}
