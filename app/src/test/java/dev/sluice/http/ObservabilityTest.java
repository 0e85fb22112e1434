package dev.sluice.http;

import static dev.sluice.testing.OpenAiErrorAssert.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.Reply;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * /metrics is Prometheus text whose labels come only from bounded sets (route templates, configured model
 * names), and every response carries an x-request-id: the caller's when it sent a sane one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ObservabilityTest {
    private static final String OK = "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,"
            + "\"model\":\"served-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18}}";

    private FakeRuntime vllm;
    private Gateway gateway;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        gateway = Gateway.in(vllm, "API_KEYS", "k1", "MODEL_NAME", "served-model");
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

    private HttpResponse<String> chat(String model, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Authorization";
        all[1] = "Bearer k1";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return gateway.post("/v1/chat/completions", "{\"model\":\"" + model
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", all);
    }

    /** Scrapes until the text satisfies the check (the record is reported as the response ends). */
    private String scrapeUntil(java.util.function.Predicate<String> check) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        String text;
        do {
            HttpResponse<String> res = gateway.get("/metrics");
            assertThat(res.statusCode()).isEqualTo(200);
            text = res.body();
            if (check.test(text)) {
                return text;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return text;
    }

    /** The value of one sample line, 0 when the series does not exist yet. */
    private static double sample(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).orElse(0.0);
    }

    @Test
    void metrics_are_prometheus_text_counting_requests_by_route_method_and_status() throws Exception {
        String requests = "sluice_requests_total{method=\"POST\",route=\"/v1/chat/completions\",status=\"200\"}";
        String tokensIn = "sluice_tokens_total{direction=\"in\",model=\"served-model\"}";
        String tokensOut = "sluice_tokens_total{direction=\"out\",model=\"served-model\"}";
        String before = gateway.get("/metrics").body();
        vllm.enqueue(Reply.json(OK));
        assertThat(chat("served-model").statusCode()).isEqualTo(200);

        String after = scrapeUntil(t -> sample(t, requests) > sample(before, requests));

        assertThat(gateway.get("/metrics").headers().firstValue("content-type")).get().asString()
                .startsWith("text/plain");
        assertThat(after).contains("# TYPE sluice_requests_total counter");
        assertThat(sample(after, requests) - sample(before, requests)).isEqualTo(1.0);
        assertThat(sample(after, tokensIn) - sample(before, tokensIn)).isEqualTo(11.0);
        assertThat(sample(after, tokensOut) - sample(before, tokensOut)).isEqualTo(7.0);
    }

    @Test
    void metrics_never_carry_model_names_that_were_not_configured() throws Exception {
        assertOpenAiError(chat("rogue-model-4f2a"), 404);
        vllm.enqueue(Reply.json(OK.replace("served-model", "upstream-renamed-model-9c1")));
        chat("served-model");

        String text = scrapeUntil(t -> t.contains("status=\"404\""));

        assertThat(text).contains("route=\"/v1/chat/completions\",status=\"404\"");
        assertThat(text).doesNotContain("rogue-model-4f2a").doesNotContain("upstream-renamed-model-9c1");
        for (String l : text.lines().filter(l -> l.contains("model=\"")).toList()) {
            assertThat(l).as(l).containsAnyOf("model=\"served-model\"", "model=\"other\"", "model=\"none\"");
        }
    }

    @Test
    void unknown_paths_are_counted_as_unmatched_not_by_their_path() throws Exception {
        gateway.get("/v1/zz-probe-path-8d1e", "Authorization", "Bearer k1");
        gateway.get("/wp-login-7b3c.php");

        String text = scrapeUntil(t -> t.contains("route=\"unmatched\""));

        assertThat(text).contains("route=\"unmatched\"");
        assertThat(text).doesNotContain("zz-probe-path-8d1e").doesNotContain("wp-login-7b3c");
    }

    @Test
    void metrics_need_no_key() {
        assertThat(gateway.get("/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void a_request_id_sent_by_the_client_is_echoed() {
        vllm.enqueue(Reply.json(OK));

        HttpResponse<String> res = chat("served-model", "x-request-id", "trace-abc_123.4:5");

        assertThat(res.headers().firstValue("x-request-id")).contains("trace-abc_123.4:5");
    }

    @Test
    void a_request_id_is_generated_and_unique_when_absent() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            vllm.enqueue(Reply.json(OK));
            HttpResponse<String> res = chat("served-model");
            String id = res.headers().firstValue("x-request-id").orElseThrow();
            assertThat(id).matches("req_[0-9a-f]{16,}");
            ids.add(id);
        }
        assertThat(ids).hasSize(3);
    }

    @Test
    void error_responses_carry_a_request_id_too() {
        HttpResponse<String> unauthorized = gateway.get("/v1/models");
        HttpResponse<String> notFound = gateway.get("/v1/nothing-here", "Authorization", "Bearer k1",
                "x-request-id", "mine-404");

        assertThat(unauthorized.statusCode()).isEqualTo(401);
        assertThat(unauthorized.headers().firstValue("x-request-id")).get().asString().startsWith("req_");
        assertThat(notFound.headers().firstValue("x-request-id")).contains("mine-404");
    }

    @Test
    void a_hostile_request_id_is_replaced() {
        HttpResponse<String> res = gateway.get("/livez", "x-request-id", "<script>" + "x".repeat(200));

        assertThat(res.headers().firstValue("x-request-id")).get().asString().startsWith("req_")
                .doesNotContain("<script>");
    }

    @Test
    void a_stream_response_carries_the_request_id() throws Exception {
        vllm.enqueue(Reply.sse().data(Chunks.stop("x")));

        try (RawHttp res = RawHttp.send(gateway.port(), "POST", "/v1/chat/completions", java.util.Map.of(
                "Content-Type", "application/json", "Authorization", "Bearer k1", "x-request-id", "stream-77"),
                "{\"model\":\"served-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                        .getBytes())) {
            res.readHead(Duration.ofSeconds(5));
            assertThat(res.status()).isEqualTo(200);
            assertThat(res.header("x-request-id")).isEqualTo("stream-77");
            assertThat(res.readEvents(Duration.ofSeconds(5))).isNotEmpty();
        }
    }

    @Test
    void the_responses_api_is_counted_under_its_route_and_listed_in_the_docs() throws Exception {
        vllm.enqueue(Reply.json(200, OK));
        HttpResponse<String> r = gateway.post("/v1/responses", "{\"model\":\"served-model\",\"input\":\"hi\"}",
                "Authorization", "Bearer k1");
        assertThat(r.statusCode()).isEqualTo(200);
        String text = scrapeUntil(t -> t.contains("route=\"/v1/responses\""));
        assertThat(text).contains("route=\"/v1/responses\"");
        gateway.get("/v1/responses/resp_missing", "Authorization", "Bearer k1");
        assertThat(scrapeUntil(t -> t.contains("route=\"/v1/responses/{id}\""))).contains("route=\"/v1/responses/{id}\"");

        String openapi = gateway.get("/openapi.json").body();
        assertThat(openapi).contains("\"/v1/responses\"").contains("\"/v1/responses/{id}\"")
                .contains("\"/v1/responses/{id}/input_items\"").contains("\"/v1/responses/compact\"");
        assertThat(gateway.get("/docs").body()).contains("/v1/responses");
    }
}
