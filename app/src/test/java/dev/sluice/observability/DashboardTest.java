package dev.sluice.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard in deploy/grafana cannot drift from the code: it is valid dashboard JSON on a datasource
 * variable, and every metric it queries is on the gateway's /metrics page once the gateway has done each thing
 * the dashboard shows (a retry, a fallback, an ejection, a cache hit, a refused request, a cut stream, spend and a
 * spent budget ...).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DashboardTest {
    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "sluice-dashboard.json");
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** The gateway's own metric families; label names are removed from a query before this is matched. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:sluice|gen_ai)_[a-z0-9_]+)\\b");

    @Test
    void the_dashboard_is_grafana_json_on_a_prometheus_datasource_variable() throws Exception {
        JsonNode d = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        assertThat(d.path("uid").asText()).isEqualTo("sluice-gateway");
        assertThat(d.path("title").asText()).isNotBlank();
        assertThat(d.path("schemaVersion").asInt()).isPositive();
        JsonNode variable = d.at("/templating/list/0");
        assertThat(variable.path("name").asText()).isEqualTo("datasource");
        assertThat(variable.path("type").asText()).isEqualTo("datasource");
        assertThat(variable.path("query").asText()).isEqualTo("prometheus");
        Set<Integer> ids = new HashSet<>();
        int queries = 0;
        for (JsonNode p : d.path("panels")) {
            assertThat(ids.add(p.path("id").asInt())).as("panel ids are unique: %s", p.path("id")).isTrue();
            assertThat(p.path("gridPos").path("w").asInt()).as(p.path("title").asText()).isBetween(1, 24);
            if (p.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(p.at("/datasource/uid").asText()).as(p.path("title").asText()).isEqualTo("${datasource}");
            for (JsonNode t : p.path("targets")) {
                assertThat(t.at("/datasource/uid").asText()).isEqualTo("${datasource}");
                assertThat(t.path("expr").asText()).isNotBlank();
                queries++;
            }
        }
        assertThat(queries).isGreaterThan(20);
    }

    @Test
    void every_metric_the_dashboard_queries_is_on_the_metrics_page(@TempDir Path dir) throws Exception {
        Set<String> queried = queriedMetrics();
        assertThat(queried).contains("sluice_requests_total", "gen_ai_client_token_usage_bucket");
        String page = exerciseAndScrape(dir);
        Set<String> exposed = new TreeSet<>();
        for (String line : page.split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                exposed.add(line.split("[{ ]", 2)[0]);
            }
        }
        assertThat(exposed).as("metrics on /metrics after exercising the gateway").containsAll(queried);
    }

    private static Set<String> queriedMetrics() throws Exception {
        JsonNode d = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        Set<String> names = new TreeSet<>();
        for (JsonNode p : d.path("panels")) {
            for (JsonNode t : p.path("targets")) {
                // label names (in by/without lists and selectors) are not metrics
                String expr = t.path("expr").asText().replaceAll("(by|without)\\s*\\([^)]*\\)", "")
                        .replaceAll("\\{[^}]*}", "");
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    /**
     * Pool {@code main} has two deployments that both fail, so one request is retried, both are ejected and the
     * request falls back to {@code backup}, which caches and has a price; key {@code tiny} may make one request a
     * minute, and key {@code broke} has a budget one request spends.
     */
    private static String exerciseAndScrape(Path dir) throws Exception {
        try (FakeRuntime failing = FakeRuntime.vllm(); FakeRuntime backup = FakeRuntime.vllm()) {
            Path file = dir.resolve("sluice.yaml");
            Files.writeString(file, """
                    model_list:
                      - model_name: main
                        model_info: {id: main-a}
                        params: {model: vllm/served, api_base: %1$s}
                      - model_name: main
                        model_info: {id: main-b}
                        params: {model: vllm/served, api_base: %1$s}
                      - model_name: backup
                        params: {model: vllm/served, api_base: %2$s}
                        cache: {ttl: 300, backend: memory}
                        price: {input: 1, output: 2}
                    general_settings:
                      num_retries: 2
                      allowed_fails: 1
                      retry_budget_ratio: 1
                      retry_backoff_base: 0ms
                      fallbacks: [{main: [backup]}]
                    keys:
                      - {name: team, key: team-secret}
                      - {name: tiny, key: tiny-secret, rpm: 1}
                      - {name: broke, key: broke-secret, budget: {daily: 0.000001}}
                    """.formatted(failing.baseUrl(), backup.baseUrl()));
            try (Gateway gateway = Gateway.builder().env("sluice.config.file", file.toString()).start()) {
                String auth = "Bearer team-secret";
                failing.enqueue(Reply.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));
                failing.enqueue(Reply.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));
                backup.enqueue(Reply.json(completion()));
                assertThat(gateway.post("/v1/chat/completions", chat("main", false), "Authorization", auth)
                        .statusCode()).as("retried, ejected, then answered by the fallback").isEqualTo(200);

                backup.enqueue(Reply.json(completion()));
                for (int i = 0; i < 2; i++) { // a miss, then a hit
                    assertThat(gateway.post("/v1/chat/completions", chat("backup", false), "Authorization", auth)
                            .statusCode()).isEqualTo(200);
                }

                backup.enqueue(Reply.sse().data(chunk("hello", null)).data(chunk("", "stop")));
                stream(gateway, auth, "hi");

                List<Integer> tiny = new ArrayList<>();
                backup.enqueue(Reply.json(completion())); // one only: the refused request never goes upstream
                for (int i = 0; i < 2; i++) {
                    tiny.add(gateway.post("/v1/chat/completions", chat("backup", false).replace("\"hi\"", "\"hi " + i
                            + "\""), "Authorization", "Bearer tiny-secret").statusCode());
                }
                assertThat(tiny).containsExactly(200, 429);

                // one request spends more than the key's budget (settled just after its answer); the next is refused
                backup.enqueue(Reply.json(completion()));
                assertThat(gateway.post("/v1/chat/completions", chat("backup", false).replace("\"hi\"", "\"spend\""),
                        "Authorization", "Bearer broke-secret").statusCode()).isEqualTo(200);
                long spent = System.nanoTime() + WAIT.toNanos();
                while (!gateway.get("/metrics").body().contains("sluice_spend_total{key=\"broke\"")
                        && System.nanoTime() < spent) {
                    Thread.sleep(20);
                }
                assertThat(gateway.post("/v1/chat/completions", chat("backup", false).replace("\"hi\"", "\"more\""),
                        "Authorization", "Bearer broke-secret").statusCode()).isEqualTo(429);

                // last: with allowed_fails 1 the cut stream also ejects backup
                backup.enqueue(Reply.sse().data(chunk("he", null)).data(chunk("l", null)).data(chunk("lo", null))
                        .eventDelay(Duration.ofMillis(100)).cutAfter(2));
                stream(gateway, auth, "cut"); // another prompt: the cache would replay the first stream
                // the stream is reported just after its last byte: wait for it rather than race it
                long deadline = System.nanoTime() + WAIT.toNanos();
                String page = gateway.get("/metrics").body();
                while (!page.contains("sluice_stream_aborted_total{") && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                    page = gateway.get("/metrics").body();
                }
                return page;
            }
        }
    }

    private static void stream(Gateway gateway, String auth, String prompt) throws Exception {
        try (RawHttp client = RawHttp.postJson(gateway.port(), "/v1/chat/completions", auth.substring(7),
                chat("backup", true).replace("\"hi\"", "\"" + prompt + "\""), WAIT)) {
            assertThat(client.status()).isEqualTo(200);
            client.readEvents(WAIT);
        }
    }

    private static String chat(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"temperature\":0,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    private static String completion() {
        return "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"served\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"hello\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}";
    }

    private static String chunk(String content, String finish) {
        return "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"served\",\"choices\":[{"
                + "\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }
}
