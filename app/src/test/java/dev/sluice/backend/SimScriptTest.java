package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.GatewayConfig;
import dev.sluice.protocol.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SimScriptTest {
    private static final SimConfig SIM = new SimConfig(Duration.ZERO, 0, 16);

    private static final String WEATHER_TOOL = """
            {"type":"function","function":{"name":"get_weather","description":"Weather for a city",
             "parameters":{"type":"object","properties":{
               "city":{"type":"string"},
               "unit":{"type":"string","enum":["celsius","fahrenheit"]},
               "days":{"type":"integer"},
               "hourly":{"type":"boolean"},
               "fields":{"type":"array","items":{"type":"string"}},
               "note":{"type":"string"}},
             "required":["city","unit","days","hourly","fields"]}}}""";
    private static final String TIME_TOOL = """
            {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{
               "timezone":{"type":"string"},"location":{"type":"string"}}}}}""";

    static ObjectNode json(String s) {
        try {
            return (ObjectNode) Json.parse(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    static SimScript script(String request) {
        return new SimScript(json(request), "sim", SIM);
    }

    static String user(String extra) {
        return "{\"model\":\"sim\",\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"}]"
                + extra + "}";
    }

    static String content(JsonNode completion) {
        return completion.at("/choices/0/message/content").asText();
    }

    // --- determinism ---

    @Test
    void theSameRequestGetsTheSameAnswerEveryTime() {
        String req = user(",\"tools\":[" + WEATHER_TOOL + "]");

        assertThat(script(req).chatCompletion()).isEqualTo(script(req).chatCompletion());
        assertThat(script(req).chatChunks()).isEqualTo(script(req).chatChunks());
        assertThat(script(user("")).chatCompletion()).isEqualTo(script(user("")).chatCompletion());
        String emb = "{\"model\":\"e\",\"input\":[\"a\",\"b\"]}";
        assertThat(script(emb).embeddings()).isEqualTo(script(emb).embeddings());
    }

    @Test
    void differentRequestsGetDifferentIds() {
        String a = script(user("")).chatCompletion().get("id").asText();
        String b = script(user(",\"temperature\":0.5")).chatCompletion().get("id").asText();

        assertThat(a).startsWith("sim-").isNotEqualTo(b);
    }

    @Test
    void echoesTheRequestedModelOrFallsBackToTheDefault() {
        assertThat(script("{\"model\":\"my-model\",\"messages\":[]}").chatCompletion().get("model").asText())
                .isEqualTo("my-model");
        assertThat(new SimScript(json("{\"messages\":[]}"), "fallback", SIM).chatCompletion().get("model").asText())
                .isEqualTo("fallback");
    }

    // --- tool calls ---

    @Test
    void callsTheToolWithArgumentsCoveringItsRequiredProperties() throws Exception {
        JsonNode c = script(user(",\"tools\":[" + WEATHER_TOOL + "]")).chatCompletion();

        JsonNode choice = c.at("/choices/0");
        assertThat(choice.get("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(choice.at("/message/content").isNull()).isTrue();
        JsonNode call = choice.at("/message/tool_calls/0");
        assertThat(call.get("id").asText()).matches("call_[0-9a-f]+");
        assertThat(call.get("type").asText()).isEqualTo("function");
        assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");

        JsonNode args = Json.parse(call.at("/function/arguments").asText());
        assertThat(args.isObject()).isTrue();
        List<String> keys = new ArrayList<>();
        args.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder("city", "unit", "days", "hourly", "fields");
        assertThat(args.get("city").asText()).isEqualTo("Paris");
        assertThat(args.get("unit").asText()).isIn("celsius", "fahrenheit");
        assertThat(args.get("days").isIntegralNumber()).isTrue();
        assertThat(args.get("hourly").isBoolean()).isTrue();
        assertThat(args.get("fields").isArray()).isTrue();
        assertThat(c.at("/usage/completion_tokens").asInt()).isPositive();
    }

    @Test
    void withoutARequiredListEveryPropertyIsFilledIn() throws Exception {
        JsonNode c = script(user(",\"tools\":[" + TIME_TOOL + "]")).chatCompletion();

        JsonNode args = Json.parse(c.at("/choices/0/message/tool_calls/0/function/arguments").asText());
        assertThat(args.get("timezone").isTextual()).isTrue();
        assertThat(args.get("location").asText()).isEqualTo("Paris");
    }

    @Test
    void aNamedToolChoicePicksThatTool() {
        JsonNode c = script(user(",\"tools\":[" + WEATHER_TOOL + "," + TIME_TOOL + "],"
                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}")).chatCompletion();

        assertThat(c.at("/choices/0/message/tool_calls/0/function/name").asText()).isEqualTo("get_time");
    }

    @Test
    void toolChoiceNoneAnswersInText() {
        JsonNode c = script(user(",\"tools\":[" + WEATHER_TOOL + "],\"tool_choice\":\"none\"")).chatCompletion();

        assertThat(c.at("/choices/0/message").has("tool_calls")).isFalse();
        assertThat(content(c)).startsWith("Hello from the Sluice simulator.");
    }

    @Test
    void aStreamedToolCallFollowsTheOpenAiDeltaRules() throws Exception {
        String req = user(",\"tools\":[" + WEATHER_TOOL + "],\"stream\":true");
        List<JsonNode> chunks = script(req).chatChunks();
        JsonNode whole = script(req).chatCompletion();

        assertThat(chunks.getFirst().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        StringBuilder args = new StringBuilder();
        String id = null;
        String name = null;
        for (JsonNode c : chunks) {
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.get("id").asText()).isEqualTo(chunks.getFirst().get("id").asText());
            assertThat(c.get("model").asText()).isEqualTo("sim");
            for (JsonNode tc : c.at("/choices/0/delta/tool_calls")) {
                assertThat(tc.get("index").asInt()).isZero();
                assertThat(tc.has("function")).as("openai-java: every tool-call delta has a function").isTrue();
                if (tc.has("id")) {
                    assertThat(id).as("id only on the first delta").isNull();
                    id = tc.get("id").asText();
                    name = tc.at("/function/name").asText();
                }
                args.append(tc.at("/function/arguments").asText());
            }
        }
        assertThat(chunks.getLast().at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        JsonNode call = whole.at("/choices/0/message/tool_calls/0");
        assertThat(id).isEqualTo(call.get("id").asText());
        assertThat(name).isEqualTo("get_weather");
        assertThat(Json.parse(args.toString())).isEqualTo(Json.parse(call.at("/function/arguments").asText()));
    }

    // --- after a tool result ---

    @Test
    void answersInTextAfterAToolResult() {
        String req = "{\"model\":\"sim\",\"tools\":[" + WEATHER_TOOL + "],\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18°C and sunny\"}]}";

        JsonNode c = script(req).chatCompletion();

        assertThat(c.at("/choices/0/message").has("tool_calls")).isFalse();
        assertThat(content(c)).isEqualTo("The tool returned: 18°C and sunny");
        assertThat(c.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void aToolResultGivenAsPartsIsQuotedToo() {
        String req = "{\"model\":\"sim\",\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"c\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"42\"}]}]}";

        assertThat(content(script(req).chatCompletion())).startsWith("The tool returned:").contains("42");
    }

    // --- length ---

    @Test
    void maxTokensCutsTheAnswerWithFinishReasonLength() {
        JsonNode c = script(user(",\"max_tokens\":5")).chatCompletion();

        assertThat(content(c)).isEqualTo("Hello from the Sluice simulator.");
        assertThat(c.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(c.at("/usage/completion_tokens").asInt()).isEqualTo(5);
    }

    @Test
    void maxCompletionTokensWinsOverMaxTokens() {
        JsonNode c = script(user(",\"max_tokens\":50,\"max_completion_tokens\":2")).chatCompletion();

        assertThat(content(c)).isEqualTo("Hello from");
        assertThat(c.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void aLargeBudgetEndsWithStop() {
        JsonNode c = script(user(",\"max_tokens\":1000")).chatCompletion();

        assertThat(c.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(content(c)).endsWith("to get real answers.");
    }

    @Test
    void aStreamCutByMaxTokensEndsWithLength() {
        List<JsonNode> chunks = script(user(",\"stream\":true,\"max_tokens\":3")).chatChunks();

        long contentChunks = chunks.stream().filter(c -> !c.at("/choices/0/delta/content").asText("").isEmpty())
                .count();
        assertThat(contentChunks).isEqualTo(3);
        assertThat(chunks.getLast().at("/choices/0/finish_reason").asText()).isEqualTo("length");
    }

    // --- usage on streams ---

    @Test
    void includeUsageAddsAFinalUsageOnlyChunk() {
        List<JsonNode> chunks = script(user(",\"stream\":true,\"max_tokens\":4,"
                + "\"stream_options\":{\"include_usage\":true}")).chatChunks();

        JsonNode last = chunks.getLast();
        assertThat(last.get("choices")).isEmpty();
        JsonNode usage = last.get("usage");
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(4);
        assertThat(usage.get("prompt_tokens").asInt()).isPositive();
        assertThat(usage.get("total_tokens").asInt())
                .isEqualTo(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt());
        assertThat(chunks.subList(0, chunks.size() - 1)).noneMatch(c -> c.has("usage"));
        assertThat(chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void withoutIncludeUsageNoChunkCarriesUsage() {
        List<JsonNode> chunks = script(user(",\"stream\":true")).chatChunks();

        assertThat(chunks).noneMatch(c -> c.has("usage"));
        assertThat(chunks.getLast().at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void legacyCompletionsStreamWithUsage() {
        List<JsonNode> chunks = script("{\"model\":\"sim\",\"prompt\":\"Say hi\",\"max_tokens\":2,"
                + "\"stream_options\":{\"include_usage\":true}}").completionChunks();

        assertThat(chunks).allMatch(c -> c.get("object").asText().equals("text_completion"));
        assertThat(chunks.get(0).at("/choices/0/text").asText() + chunks.get(1).at("/choices/0/text").asText())
                .isEqualTo("Hello from");
        assertThat(chunks.get(2).at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(chunks.getLast().at("/usage/completion_tokens").asInt()).isEqualTo(2);
    }

    // --- embeddings ---

    static float[] floats(JsonNode embedding) {
        float[] v = new float[embedding.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) embedding.get(i).asDouble();
        }
        return v;
    }

    static float[] base64(JsonNode embedding) {
        ByteBuffer bb = ByteBuffer.wrap(Base64.getDecoder().decode(embedding.asText())).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[bb.remaining() / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = bb.getFloat();
        }
        return v;
    }

    static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "a", "hello world", "Grüße, 世界 🙂", "x"})
    void everyEmbeddingHasUnitLength(String text) {
        JsonNode e = script("{\"model\":\"e\",\"input\":" + Json.string(Json.NODES.textNode(text)) + "}").embeddings();

        float[] v = floats(e.at("/data/0/embedding"));
        assertThat(v).hasSize(16);
        assertThat(norm(v)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void equalTextsEmbedEquallyAndDifferentTextsDifferently() {
        JsonNode e = script("{\"model\":\"e\",\"input\":[\"cat\",\"dog\",\"cat\"]}").embeddings();

        assertThat(e.get("data")).hasSize(3);
        assertThat(e.at("/data/0/index").asInt()).isZero();
        assertThat(e.at("/data/2/index").asInt()).isEqualTo(2);
        assertThat(e.at("/data/0/embedding")).isEqualTo(e.at("/data/2/embedding"));
        assertThat(e.at("/data/0/embedding")).isNotEqualTo(e.at("/data/1/embedding"));
        assertThat(e.at("/usage/prompt_tokens").asInt()).isEqualTo(e.at("/usage/total_tokens").asInt()).isPositive();
        assertThat(e.get("model").asText()).isEqualTo("e");
    }

    @Test
    void base64EmbeddingsDecodeToTheSameFloats() {
        JsonNode asFloats = script("{\"model\":\"e\",\"input\":[\"one\",\"two\"]}").embeddings();
        JsonNode asBase64 = script("{\"model\":\"e\",\"input\":[\"one\",\"two\"],\"encoding_format\":\"base64\"}")
                .embeddings();

        for (int i = 0; i < 2; i++) {
            assertThat(asBase64.at("/data/" + i + "/embedding").isTextual()).isTrue();
            assertThat(base64(asBase64.at("/data/" + i + "/embedding")))
                    .containsExactly(floats(asFloats.at("/data/" + i + "/embedding")));
        }
    }

    @Test
    void dimensionsChoosesTheVectorLength() {
        JsonNode e = script("{\"model\":\"e\",\"input\":\"a\",\"dimensions\":5}").embeddings();

        float[] v = floats(e.at("/data/0/embedding"));
        assertThat(v).hasSize(5);
        assertThat(norm(v)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void theVectorIsAUnitVectorForManyTextsAndSizes() {
        for (int dims : new int[] {1, 2, 3, 64, 1536}) {
            for (int i = 0; i < 200; i++) {
                float[] v = SimScript.vector("text " + i, dims);
                assertThat(norm(v)).as("dims %d text %d", dims, i).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }
}
