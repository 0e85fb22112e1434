package dev.sluice.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Fixtures;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * OpenTelemetry through the real gateway in front of a fake vLLM, exported to the SDK's in-memory exporter: a span
 * per request and per attempt with the GenAI attributes, the W3C trace context carried to the runtime and taken
 * from the client, a stream's span ending with the stream, and the gen_ai metrics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TracingTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String KEY = "sk-tracing-test-secret";
    private static final String PROMPT = "a prompt that must not reach any span";
    private static final String MODEL = "Qwen/Qwen3-0.6B";
    private static final String CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String CLIENT_SPAN = "b7ad6b7169203331";
    private static final AttributeKey<List<String>> FINISH_REASONS =
            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private OpenTelemetrySdk otel;
    private FakeRuntime vllm;
    private FakeRuntime anthropic;
    private Gateway gateway;

    @BeforeAll
    void start() throws Exception {
        otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        vllm = FakeRuntime.vllm();
        anthropic = FakeRuntime.vllm(); // every reply to it is scripted in Anthropic's shapes
        Path file = Files.createTempDirectory("sluice-tracing").resolve("sluice.yaml");
        Files.writeString(file, """
                model_list:
                  - model_name: %s
                    params:
                      model: vllm/%s
                      api_base: http://127.0.0.1:%d/v1
                  - model_name: claude
                    params:
                      model: anthropic/claude-sonnet-4-5
                      api_base: http://127.0.0.1:%d
                      api_key: upstream-key
                  - model_name: native
                    params:
                      model: vllm/served-model
                      api_base: http://127.0.0.1:%d/v1
                      responses_api: native
                general_settings:
                  num_retries: 0
                """.formatted(MODEL, MODEL, vllm.port(), anthropic.port(), vllm.port()));
        gateway = Gateway.builder().env("sluice.config.file", file.toString()).env("API_KEYS", KEY).singleton(otel)
                .start();
    }

    @AfterAll
    void stop() {
        gateway.close();
        vllm.close();
        anthropic.close();
        otel.close();
    }

    @BeforeEach
    void reset() {
        vllm.reset();
        anthropic.reset();
        spans.reset();
    }

    private static String chat(boolean stream) {
        return "{\"model\":\"" + MODEL + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                + PROMPT + "\"}]}";
    }

    @Test
    void a_unary_request_gets_a_request_span_and_an_attempt_span_under_the_clients_trace() throws Exception {
        vllm.enqueue(Reply.fixture("vllm/chat.json"));

        HttpResponse<String> r = gateway.post("/v1/chat/completions", chat(false), "Authorization", "Bearer " + KEY,
                "traceparent", "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01");

        assertThat(r.statusCode()).isEqualTo(200);
        SpanData request = awaitSpan(SpanKind.SERVER);
        SpanData attempt = span(SpanKind.CLIENT);
        assertThat(request.getTraceId()).isEqualTo(CLIENT_TRACE);
        assertThat(request.getParentSpanId()).as("the client's traceparent is the parent").isEqualTo(CLIENT_SPAN);
        assertThat(attempt.getTraceId()).isEqualTo(CLIENT_TRACE);
        assertThat(attempt.getParentSpanId()).isEqualTo(request.getSpanId());
        RecordedRequest sent = vllm.takeRequest();
        assertThat(sent.header("traceparent")).as("the runtime is called under the attempt's span")
                .isEqualTo("00-" + CLIENT_TRACE + "-" + attempt.getSpanId() + "-01");

        assertThat(request.getName()).isEqualTo("chat " + MODEL);
        assertThat(str(request, "gen_ai.operation.name")).isEqualTo("chat");
        assertThat(str(request, "gen_ai.request.model")).isEqualTo(MODEL);
        assertThat(str(request, "gen_ai.response.model")).isEqualTo(MODEL);
        assertThat(num(request, "gen_ai.usage.input_tokens")).isEqualTo(33);
        assertThat(num(request, "gen_ai.usage.output_tokens")).isEqualTo(154);
        assertThat(request.getAttributes().get(FINISH_REASONS)).containsExactly("stop");
        assertThat(num(request, "http.response.status_code")).isEqualTo(200);

        assertThat(attempt.getName()).isEqualTo("chat " + MODEL);
        assertThat(str(attempt, "gen_ai.provider.name")).isEqualTo("vllm");
        assertThat(str(attempt, "gen_ai.system")).isEqualTo("vllm");
        assertThat(str(attempt, "server.address")).isEqualTo("127.0.0.1");
        assertThat(num(attempt, "server.port")).isEqualTo(vllm.port());
        assertThat(num(attempt, "gen_ai.usage.input_tokens")).isEqualTo(33);
        assertThat(str(attempt, "gen_ai.response.model")).isEqualTo(MODEL);
        assertNoSecretOrPrompt();
    }

    @Test
    void a_streamed_requests_span_ends_when_the_stream_ends_not_when_its_head_is_sent() throws Exception {
        List<byte[]> events = Fixtures.events("vllm/chat-stream-reasoning-usage.sse");
        CountDownLatch release = new CountDownLatch(1);
        Reply.Sse sse = Reply.sse().raw(events.get(0)).await(release);
        events.subList(1, events.size()).forEach(sse::raw);
        vllm.enqueue(sse);

        try (RawHttp client = RawHttp.send(gateway.port(), "POST", "/v1/chat/completions", Map.of("content-type",
                "application/json", "authorization", "Bearer " + KEY), chat(true).getBytes(StandardCharsets.UTF_8))) {
            client.readHead(WAIT);
            assertThat(client.status()).isEqualTo(200);
            assertThat(client.nextEvent(WAIT)).isNotNull();
            assertThat(spans.getFinishedSpanItems()).as("head and first event sent, stream still open")
                    .noneMatch(s -> s.getKind() == SpanKind.SERVER);
            release.countDown();
            client.readEvents(WAIT);
        }

        SpanData request = awaitSpan(SpanKind.SERVER);
        SpanData attempt = span(SpanKind.CLIENT);
        assertThat(request.getParentSpanContext().isValid()).as("no traceparent from the client: a new trace").isFalse();
        assertThat(attempt.getParentSpanId()).isEqualTo(request.getSpanId());
        assertThat(vllm.takeRequest().header("traceparent"))
                .as("the SDK's own new trace ids also carry W3C level 2's random flag: sampled is the low bit")
                .startsWith("00-" + request.getTraceId() + "-" + attempt.getSpanId() + "-0");
        assertThat(request.getAttributes().get(AttributeKey.booleanKey("sluice.stream"))).isTrue();
        assertThat(num(request, "gen_ai.usage.input_tokens")).isEqualTo(107);
        assertThat(num(request, "gen_ai.usage.output_tokens")).isEqualTo(271);
        assertThat(num(attempt, "gen_ai.usage.output_tokens")).isEqualTo(271);
        assertThat(str(attempt, "gen_ai.request.model")).isEqualTo(MODEL);
        assertAnswer(request, MODEL, "stop");
        assertAnswer(attempt, MODEL, "stop");
        assertThat(attempt.getEndEpochNanos()).isLessThanOrEqualTo(request.getEndEpochNanos());
        assertNoSecretOrPrompt();

        Map<String, MetricData> byName = metrics.collectAllMetrics().stream()
                .collect(Collectors.toMap(MetricData::getName, m -> m));
        assertThat(byName).containsKeys("gen_ai.client.token.usage", "gen_ai.server.time_to_first_token",
                "gen_ai.server.request.duration");
        assertThat(byName.get("gen_ai.server.time_to_first_token").getHistogramData().getPoints())
                .anySatisfy(p -> assertThat(p.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name")))
                        .isEqualTo("chat"));
    }

    @Test
    void an_openai_stream_names_the_model_from_its_chunks_and_every_choices_finish_reason() throws Exception {
        vllm.enqueue(Reply.sse()
                .data(chunk("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"A\"},\"finish_reason\":null},"
                        + "{\"index\":1,\"delta\":{\"role\":\"assistant\",\"content\":\"B\"},\"finish_reason\":null}"))
                .data(chunk("{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}"))
                .data(chunk("{\"index\":1,\"delta\":{},\"finish_reason\":\"length\"}")));

        SpanData request = streamed("/v1/chat/completions", chat(true));

        assertAnswer(request, "qwen3-0.6b-2025-06", "stop", "length");
        assertAnswer(span(SpanKind.CLIENT), "qwen3-0.6b-2025-06", "stop", "length");
        assertThat(str(request, "gen_ai.request.model")).isEqualTo(MODEL);
    }

    @Test
    void an_anthropic_clients_stream_from_an_openai_runtime_carries_the_runtimes_answer() throws Exception {
        vllm.enqueue(Reply.sseFixture("ollama/chat-stream-tool-call-usage.sse"));

        SpanData request = streamed("/v1/messages", "{\"model\":\"" + MODEL + "\",\"max_tokens\":64,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}");

        assertAnswer(request, "llama3.2:3b-instruct-fp16", "tool_calls");
        assertAnswer(span(SpanKind.CLIENT), "llama3.2:3b-instruct-fp16", "tool_calls");
    }

    @Test
    void an_anthropic_stream_passed_through_names_the_model_of_message_start_and_its_stop_reason()
            throws Exception {
        anthropic.enqueue(Reply.sseFixture("anthropic/messages-stream-text.sse").withoutDone());

        SpanData request = streamed("/v1/messages", "{\"model\":\"claude\",\"max_tokens\":64,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}");

        assertAnswer(request, "claude-sonnet-4-5-20250929", "end_turn");
        assertThat(num(request, "gen_ai.usage.input_tokens")).isEqualTo(135);
    }

    @Test
    void an_openai_clients_stream_from_anthropic_carries_anthropics_own_stop_reason() throws Exception {
        anthropic.enqueue(Reply.sseFixture("anthropic/messages-stream-tool-use.sse").withoutDone());

        SpanData request = streamed("/v1/chat/completions", "{\"model\":\"claude\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}");

        assertAnswer(request, "claude-haiku-4-5-20251001", "tool_use");
    }

    @Test
    void a_responses_clients_stream_from_an_openai_runtime_carries_the_runtimes_answer() throws Exception {
        vllm.enqueue(Reply.sseFixture("openai/chat-stream-parallel-tool-calls-usage.sse"));

        SpanData request = streamed("/v1/responses", "{\"model\":\"" + MODEL + "\",\"stream\":true,\"input\":\""
                + PROMPT + "\"}");

        assertAnswer(request, "gpt-4o-2024-08-06", "tool_calls");
        assertAnswer(span(SpanKind.CLIENT), "gpt-4o-2024-08-06", "tool_calls");
    }

    @Test
    void a_responses_stream_passed_through_names_its_model_and_why_it_stopped() throws Exception {
        vllm.enqueue(Reply.sse()
                .raw(responsesEvent("response.created", 0, "\"status\":\"in_progress\",\"output\":[]"))
                .raw("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
                        + "\"sequence_number\":1,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,"
                        + "\"delta\":\"Hel\"}\n\n")
                .raw(responsesEvent("response.incomplete", 2, "\"status\":\"incomplete\",\"incomplete_details\":"
                        + "{\"reason\":\"max_output_tokens\"},\"output\":[],\"usage\":{\"input_tokens\":5,"
                        + "\"output_tokens\":1,\"total_tokens\":6}"))
                .withoutDone());

        SpanData request = streamed("/v1/responses", "{\"model\":\"native\",\"stream\":true,\"input\":\"" + PROMPT
                + "\"}");

        assertAnswer(request, "served-model-2025", "max_output_tokens");
        assertThat(num(request, "gen_ai.usage.output_tokens")).isEqualTo(1);
    }

    @Test
    void a_responses_answer_passed_through_has_the_same_finish_reason_as_its_stream_would() throws Exception {
        vllm.enqueue(Reply.json("{\"id\":\"resp_2\",\"object\":\"response\",\"model\":\"served-model-2025\","
                + "\"status\":\"completed\",\"incomplete_details\":null,\"output\":[],\"usage\":{\"input_tokens\":5,"
                + "\"output_tokens\":2,\"total_tokens\":7}}"));

        HttpResponse<String> r = gateway.post("/v1/responses", "{\"model\":\"native\",\"input\":\"" + PROMPT + "\"}",
                "Authorization", "Bearer " + KEY);

        assertThat(r.statusCode()).isEqualTo(200);
        assertAnswer(awaitSpan(SpanKind.SERVER), "served-model-2025", "completed");
    }

    @Test
    void probes_and_scrapes_make_no_spans() {
        assertThat(gateway.get("/livez").statusCode()).isEqualTo(200);
        assertThat(gateway.get("/metrics").statusCode()).isEqualTo(200);
        assertThat(spans.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void tracing_is_off_unless_an_exporter_or_an_endpoint_is_named() {
        assertThat(Tracing.wanted(Map.<String, String>of()::get)).isFalse();
        assertThat(Tracing.wanted(Map.of("OTEL_SERVICE_NAME", "gw")::get)).isFalse();
        assertThat(Tracing.wanted(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")::get)).isTrue();
        assertThat(Tracing.wanted(Map.of("OTEL_TRACES_EXPORTER", "otlp")::get)).isTrue();
        assertThat(Tracing.wanted(Map.of("OTEL_TRACES_EXPORTER", "none",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")::get)).isFalse();
        assertThat(Tracing.wanted(Map.of("OTEL_SDK_DISABLED", "true",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")::get)).isFalse();
        assertThat(Tracing.fromEnvironment(Map.<String, String>of()::get).enabled()).isFalse();
    }

    @Test
    void an_otlp_endpoint_starts_the_sdk_with_its_otlp_exporter_over_the_jdk_client() {
        // system properties are the SDK's other source; this proves the exporter and its sender are on the classpath
        Map<String, String> props = Map.of("otel.exporter.otlp.endpoint", "http://127.0.0.1:9",
                "otel.metrics.exporter", "none", "otel.bsp.schedule.delay", "60000");
        props.forEach(System::setProperty);
        try (Tracing tracing = Tracing.fromEnvironment(name -> null)) {
            assertThat(tracing.enabled()).isTrue();
        } finally {
            props.keySet().forEach(System::clearProperty);
        }
    }

    /** A chat completion chunk from a runtime that names its model apart from the alias it was asked for. */
    private static String chunk(String choices) {
        return "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"qwen3-0.6b-2025-06\","
                + "\"choices\":[" + choices + "]}";
    }

    private static String responsesEvent(String type, int sequence, String response) {
        return "event: " + type + "\ndata: {\"type\":\"" + type + "\",\"sequence_number\":" + sequence
                + ",\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"model\":\"served-model-2025\","
                + response + "}}\n\n";
    }

    /** Sends a streamed request, reads the stream to its end and returns the request's span, ended with it. */
    private SpanData streamed(String path, String body) throws Exception {
        try (RawHttp client = RawHttp.postJson(gateway.port(), path, KEY, body, WAIT)) {
            assertThat(client.status()).isEqualTo(200);
            client.readEvents(WAIT);
        }
        SpanData request = awaitSpan(SpanKind.SERVER);
        assertThat(request.getAttributes().get(AttributeKey.booleanKey("sluice.stream"))).isTrue();
        assertNoSecretOrPrompt();
        return request;
    }

    private static void assertAnswer(SpanData s, String model, String... finishReasons) {
        assertThat(str(s, "gen_ai.response.model")).as(s.getKind() + " gen_ai.response.model").isEqualTo(model);
        assertThat(s.getAttributes().get(FINISH_REASONS)).as(s.getKind() + " gen_ai.response.finish_reasons")
                .containsExactly(finishReasons);
    }

    private void assertNoSecretOrPrompt() {
        for (SpanData s : spans.getFinishedSpanItems()) {
            s.getAttributes().forEach((k, v) -> assertThat(String.valueOf(v)).as(k.getKey())
                    .doesNotContain(KEY).doesNotContain(PROMPT));
            assertThat(s.getName()).doesNotContain(PROMPT);
        }
    }

    private SpanData awaitSpan(SpanKind kind) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (spans.getFinishedSpanItems().stream().anyMatch(s -> s.getKind() == kind)) {
                return span(kind);
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no " + kind + " span within " + WAIT + ": " + spans.getFinishedSpanItems());
    }

    private SpanData span(SpanKind kind) {
        List<SpanData> found = spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == kind).toList();
        assertThat(found).as(kind + " spans").hasSize(1);
        return found.get(0);
    }

    private static String str(SpanData s, String key) {
        return s.getAttributes().get(AttributeKey.stringKey(key));
    }

    private static long num(SpanData s, String key) {
        Long v = s.getAttributes().get(AttributeKey.longKey(key));
        assertThat(v).as(key).isNotNull();
        return v;
    }
}
