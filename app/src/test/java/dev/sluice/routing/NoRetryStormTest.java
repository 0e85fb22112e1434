package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * reliability.md G6: with every deployment of a pool ejected, requests get a fast 503 (529 for Anthropic
 * clients) with Retry-After, in their own dialect, and a recovering deployment sees at most one probe per
 * cooldown, not every waiting client at once. The fakes answer every chat request 500 (nothing is queued).
 */
class NoRetryStormTest {
    private static final int N = 24;
    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String MESSAGES = "{\"model\":\"m\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}]}";

    private static FakeRuntime a;
    private static FakeRuntime b;
    private static Path file;
    private static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        a = FakeRuntime.vllm();
        b = FakeRuntime.vllm();
        file = Files.createTempFile("sluice-g6", ".yaml");
        Files.writeString(file, """
                model_list:
                  - {model_name: m, params: {model: hosted_vllm/m, api_base: "%s"}}
                  - {model_name: m, params: {model: hosted_vllm/m, api_base: "%s"}}
                general_settings:
                  allowed_fails: 1
                  cooldown: 1500ms
                  num_retries: 1
                """.formatted(a.baseUrl(), b.baseUrl()));
        gateway = Gateway.builder().env("sluice.config.file", file.toString()).start();
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        a.close();
        b.close();
        Files.deleteIfExists(file);
    }

    private static int chats(FakeRuntime f) {
        return (int) f.apiRequests().stream().filter(r -> r.path().contains("/chat/completions")).count();
    }

    private static List<HttpResponse<String>> concurrently(int n, String path, String body, String... headers)
            throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<HttpResponse<String>>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(pool.submit(() -> gateway.post(path, body, headers)));
            }
            List<HttpResponse<String>> out = new ArrayList<>();
            for (Future<HttpResponse<String>> f : fs) {
                out.add(f.get());
            }
            return out;
        }
    }

    @Test
    void an_all_ejected_pool_answers_fast_503s_and_lets_one_probe_per_deployment_per_cooldown_through()
            throws Exception {
        // one request fails on a, is retried on b, fails there: both ejected for 1.5 s
        HttpResponse<String> first = gateway.post("/v1/chat/completions", CHAT);
        long ejectedAt = System.nanoTime();
        assertThat(first.statusCode()).isGreaterThanOrEqualTo(500);
        assertThat(chats(a) + chats(b)).isEqualTo(2);
        a.reset();
        b.reset();

        List<HttpResponse<String>> openai = concurrently(N, "/v1/chat/completions", CHAT);
        List<HttpResponse<String>> anthropic = concurrently(N, "/v1/messages", MESSAGES,
                "anthropic-version", "2023-06-01");
        Thread.sleep(1600);
        List<HttpResponse<String>> later = concurrently(N, "/v1/chat/completions", CHAT);
        long cooldowns = (System.nanoTime() - ejectedAt) / 1_500_000_000L;

        // a probe goes out when a cooldown ends (it fails, and the deployment rests again, twice as long): on
        // a slow box several cooldowns may pass, but never more than one request per deployment per cooldown
        assertThat(chats(a)).as("requests to a in %d cooldowns", cooldowns).isLessThanOrEqualTo((int) cooldowns);
        assertThat(chats(b)).as("requests to b in %d cooldowns", cooldowns).isLessThanOrEqualTo((int) cooldowns);
        assertThat(chats(a) + chats(b)).as("probes did go out").isPositive();
        int probes = chats(a) + chats(b);
        List<HttpResponse<String>> openAiSide = new ArrayList<>(openai);
        openAiSide.addAll(later);
        assertThat(openAiSide.stream().filter(r -> r.statusCode() == 503)).hasSizeGreaterThanOrEqualTo(2 * N - probes);
        for (HttpResponse<String> r : openAiSide) {
            if (r.statusCode() == 503) {
                assertThat(r.headers().firstValue("retry-after")).hasValueSatisfying(v ->
                        assertThat(Integer.parseInt(v)).isBetween(1, 10));
                assertThat(Gateway.json(r).path("error").path("type").asText()).isEqualTo("server_error");
            }
        }
        assertThat(anthropic.stream().filter(r -> r.statusCode() == 529)).hasSizeGreaterThanOrEqualTo(N - probes);
        for (HttpResponse<String> r : anthropic) {
            if (r.statusCode() == 529) {
                assertThat(r.headers().firstValue("retry-after")).isPresent();
                assertThat(Gateway.json(r).path("type").asText()).isEqualTo("error");
                assertThat(Gateway.json(r).path("error").path("type").asText()).isEqualTo("overloaded_error");
            }
        }
    }
}
