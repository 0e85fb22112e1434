package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.JsonValue;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Fixtures;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The gateway models only what it must; everything else (tools, response_format, logprobs, seed,
 * runtime extras such as chat_template_kwargs) reaches the runtime unchanged, and runtime extras in the
 * answer (vLLM's kv_transfer_params, prompt_logprobs, ...) reach the client unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UnmodelledFieldsPassThroughTest {
    private static final String EXTRAS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"description\":\"Weather\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":"
            + "{\"type\":\"string\",\"enum\":[\"Paris\",\"Zürich\"]}},\"required\":[\"city\"]},\"strict\":true}}],"
            + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}},"
            + "\"parallel_tool_calls\":false,"
            + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"w\","
            + "\"schema\":{\"type\":\"object\"},"
            + "\"strict\":true}},"
            + "\"logprobs\":true,\"top_logprobs\":3,\"seed\":42,\"temperature\":0.0,\"top_p\":1e-3,"
            + "\"chat_template_kwargs\":{\"enable_thinking\":false},\"top_k\":20,\"repetition_penalty\":1.05,"
            + "\"x_vendor_extension\":{\"nested\":[1,2.50,null,\"\\u00e9\"]}";
    private static final String MESSAGES = "\"messages\":[{\"role\":\"system\",\"content\":\"Be terse.\"},"
            + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Weather?\"}]}]";

    private FakeRuntime vllm;
    private FakeRuntime ollama;
    private Gateway vllmGateway;
    private Gateway ollamaGateway;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        ollama = FakeRuntime.ollama();
        vllmGateway = Gateway.in(vllm);
        ollamaGateway = Gateway.in(ollama);
    }

    @AfterAll
    void stop() {
        vllmGateway.close();
        ollamaGateway.close();
        vllm.close();
        ollama.close();
    }

    @BeforeEach
    void reset() {
        vllm.reset();
        ollama.reset();
    }

    @Test
    void a_request_with_unmodelled_fields_reaches_the_runtime_byte_for_byte() throws Exception {
        String body = "{ \"model\": \"Qwen/Qwen3-0.6B\", " + MESSAGES + ", " + EXTRAS + " }";
        vllm.enqueue(Reply.fixture("vllm/chat-tool-call.json"));

        HttpResponse<String> res = vllmGateway.post("/v1/chat/completions", body);

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(vllm.takeRequest().bodyText()).isEqualTo(body);
    }

    @Test
    void a_streamed_request_keeps_every_unmodelled_field_while_usage_is_added() throws Exception {
        String body = "{\"model\":\"Qwen/Qwen3-0.6B\",\"stream\":true," + MESSAGES + "," + EXTRAS + "}";
        vllm.enqueue(Reply.sseFixture("vllm/chat-stream-tool-call.sse"));

        try (RawHttp client = RawHttp.postJson(vllmGateway.port(), "/v1/chat/completions", null, body,
                Duration.ofSeconds(5))) {
            client.readEvents(Duration.ofSeconds(5));
        }

        JsonNode sent = vllm.takeRequest().json();
        ObjectNode expected = (ObjectNode) Gateway.json(body);
        expected.putObject("stream_options").put("include_usage", true);
        assertThat(sent).isEqualTo(expected);
    }

    @Test
    void the_openai_sdk_own_extra_body_fields_reach_the_runtime() throws Exception {
        vllm.enqueue(Reply.fixture("vllm/chat.json"));

        vllmGateway.openAi("unused").chat().completions().create(ChatCompletionCreateParams.builder()
                .model("Qwen/Qwen3-0.6B").addUserMessage("hi").seed(7L).logprobs(true)
                .putAdditionalBodyProperty("chat_template_kwargs", JsonValue.from(Map.of("enable_thinking", false)))
                .putAdditionalBodyProperty("top_k", JsonValue.from(20))
                .build());

        JsonNode sent = vllm.takeRequest().json();
        assertThat(sent.path("seed").asInt()).isEqualTo(7);
        assertThat(sent.path("logprobs").asBoolean()).isTrue();
        assertThat(sent.at("/chat_template_kwargs/enable_thinking").isBoolean()).isTrue();
        assertThat(sent.at("/chat_template_kwargs/enable_thinking").asBoolean()).isFalse();
        assertThat(sent.path("top_k").asInt()).isEqualTo(20);
    }

    @Test
    void ollama_gets_max_tokens_added_and_everything_else_unchanged() throws Exception {
        String body = "{\"model\":\"llama3.2\",\"max_completion_tokens\":64," + MESSAGES + "," + EXTRAS + "}";
        ollama.enqueue(Reply.fixture("ollama/chat.json"));

        HttpResponse<String> res = ollamaGateway.post("/v1/chat/completions", body);

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo(Fixtures.text("ollama/chat.json"));
        JsonNode sent = ollama.takeRequest().json();
        ObjectNode expected = (ObjectNode) Gateway.json(body);
        expected.put("max_tokens", 64);
        assertThat(sent).isEqualTo(expected);
    }

    @Test
    void runtime_extras_in_the_answer_reach_the_client_byte_for_byte() {
        vllm.enqueue(Reply.fixture("vllm/chat-tool-call.json"));

        HttpResponse<String> res = vllmGateway.post("/v1/chat/completions",
                "{\"model\":\"Qwen/Qwen3-0.6B\"," + MESSAGES + "}");

        assertThat(res.body()).isEqualTo(Fixtures.text("vllm/chat-tool-call.json"));
        assertThat(res.body()).contains("\"kv_transfer_params\"").contains("\"prompt_logprobs\"")
                .contains("\"stop_reason\"").contains("\"reasoning_content\"");
    }

    @Test
    void runtime_extras_in_the_answer_are_visible_through_the_sdk() {
        vllm.enqueue(Reply.json("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"4\","
                + "\"reasoning\":\"2+2 is 4\"},\"finish_reason\":\"stop\",\"stop_reason\":\"END\"}],"
                + "\"kv_transfer_params\":{\"remote_block_ids\":[3,5]},\"x_gpu\":\"H100\"}"));

        ChatCompletion c = vllmGateway.openAi("unused").chat().completions().create(ChatCompletionCreateParams
                .builder().model("m").addUserMessage("2+2?").build());

        assertThat(c._additionalProperties().get("x_gpu")).isEqualTo(JsonValue.from("H100"));
        assertThat(c._additionalProperties()).containsKey("kv_transfer_params");
        assertThat(c.choices().get(0)._additionalProperties().get("stop_reason")).isEqualTo(JsonValue.from("END"));
        assertThat(c.choices().get(0).message()._additionalProperties().get("reasoning"))
                .isEqualTo(JsonValue.from("2+2 is 4"));
    }

    @Test
    void completions_and_embeddings_bodies_pass_both_ways_unchanged() throws Exception {
        String completion = "{\"model\":\"Qwen/Qwen3-0.6B\",\"prompt\":[\"a\",\"b\"],\"echo\":true,\"best_of\":2,"
                + "\"logprobs\":2,\"suffix\":\"!\",\"min_p\":0.05}";
        String embedding = "{\"model\":\"e5\",\"input\":[[1,2,3]],\"dimensions\":256,\"truncate_prompt_tokens\":8,"
                + "\"encoding_format\":\"float\"}";
        String embeddingAnswer = "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                + "\"embedding\":[0.1,-0.2]}],\"model\":\"e5\",\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3},"
                + "\"x_extra\":true}";
        vllm.enqueue(Reply.fixture("vllm/completions.json"));
        vllm.enqueue(Reply.json(embeddingAnswer));

        HttpResponse<String> c = vllmGateway.post("/v1/completions", completion);
        HttpResponse<String> e = vllmGateway.post("/v1/embeddings", embedding);

        assertThat(c.body()).isEqualTo(Fixtures.text("vllm/completions.json"));
        assertThat(e.body()).isEqualTo(embeddingAnswer);
        List<RecordedRequest> sent = List.of(vllm.takeRequest(), vllm.takeRequest());
        assertThat(sent.get(0).bodyText()).isEqualTo(completion);
        assertThat(sent.get(1).bodyText()).isEqualTo(embedding);
    }
}
