package dev.sluice.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 13, item 7: the response cache against hostile tenants. Entries are each key's own unless the alias says
 * {@code shared: true}; the memory store is bounded by bytes; a stream past the per-entry limit is relayed whole
 * but not kept; a request waiting on an identical one in flight has keep-alives and its own deadline.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CacheIsolationTest {
    private static final String KEY_A = "tenant-a-key-0123456789abcdef0123456789";
    private static final String KEY_B = "tenant-b-key-0123456789abcdef0123456789";
    private static final String KEY_C = "api-key-c-0123456789abcdef0123456789abc";
    private static final String KEY_D = "api-key-d-0123456789abcdef0123456789abc";

    private FakeRuntime fake;
    private Gateway gateway;
    private Path file;

    @BeforeAll
    void start() throws Exception {
        fake = FakeRuntime.vllm();
        file = Files.createTempFile("sluice-cache-isolation", ".yaml");
        Files.writeString(file, """
                model_list:
                  - model_name: private
                    params: {model: vllm/served, api_base: %1$s, timeout: 60}
                    cache: {ttl: 60}
                  - model_name: team
                    params: {model: vllm/served, api_base: %1$s}
                    cache: {ttl: 60, shared: true}
                keys:
                  - {name: tenant-a, key: %2$s}
                  - {name: tenant-b, key: %3$s}
                """.formatted(fake.baseUrl(), KEY_A, KEY_B));
        // 1 MiB for every in-memory cache, 256 KiB per answer; a follower waits at most 2 s, with a keep-alive
        // every second (the deployments' own timeout is 60 s, so the leader outlives its followers' deadline)
        gateway = Gateway.builder().env("sluice.config.file", file.toString()).env("API_KEYS", KEY_C + "," + KEY_D)
                .env("CACHE_MAX_MB", 1).env("CACHE_MAX_ENTRY_KB", 256).env("REQUEST_TIMEOUT_S", 2)
                .env("KEEPALIVE_S", 1).start();
    }

    @AfterAll
    void stop() throws Exception {
        gateway.close();
        fake.close();
        Files.deleteIfExists(file);
    }

    @BeforeEach
    void reset() {
        fake.reset();
    }

    private static String chat(String model, String text) {
        return chat(model, text, false);
    }

    private static String chat(String model, String text, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                + text + "\"}]}";
    }

    private static String completion(String text) {
        return "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"served\",\"choices\":"
                + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
                + "\"total_tokens\":4}}";
    }

    private static String chunk(String delta, String finish) {
        return "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"served\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}";
    }

    private HttpResponse<String> post(String key, String body) {
        return gateway.post("/v1/chat/completions", body, "Authorization", "Bearer " + key);
    }

    @Test
    void tenant_b_does_not_get_a_hit_on_tenant_as_entry() {
        for (int i = 0; i < 4; i++) {
            fake.enqueue(Reply.json(completion("answer " + i)));
        }

        HttpResponse<String> a = post(KEY_A, chat("private", "our merger with Initech"));
        HttpResponse<String> b = post(KEY_B, chat("private", "our merger with Initech"));
        HttpResponse<String> again = post(KEY_A, chat("private", "our merger with Initech"));

        assertThat(a.headers().firstValue("x-sluice-cache")).contains("miss");
        assertThat(b.statusCode()).isEqualTo(200);
        assertThat(b.headers().firstValue("x-sluice-cache")).contains("miss");
        assertThat(b.headers().firstValue("Age")).isEmpty();
        assertThat(b.body()).contains("answer 1");
        // A's own entry still serves A
        assertThat(again.headers().firstValue("x-sluice-cache")).contains("hit");
        assertThat(again.body()).isEqualTo(a.body());
        // API_KEYS entries are kept apart too
        HttpResponse<String> c = post(KEY_C, chat("private", "api keys"));
        HttpResponse<String> d = post(KEY_D, chat("private", "api keys"));
        assertThat(c.headers().firstValue("x-sluice-cache")).contains("miss");
        assertThat(d.headers().firstValue("x-sluice-cache")).contains("miss");
        assertThat(fake.apiRequests()).hasSize(4);
    }

    @Test
    void an_alias_with_shared_true_shares_its_entries_across_keys() {
        fake.enqueue(Reply.json(completion("for the team")));
        fake.enqueue(Reply.json(completion("should not be used")));

        HttpResponse<String> a = post(KEY_A, chat("team", "the weekly report"));
        HttpResponse<String> b = post(KEY_B, chat("team", "the weekly report"));

        assertThat(a.headers().firstValue("x-sluice-cache")).contains("miss");
        assertThat(b.headers().firstValue("x-sluice-cache")).contains("hit");
        assertThat(b.body()).isEqualTo(a.body()).contains("for the team");
        assertThat(fake.apiRequests()).hasSize(1);
    }

    @Test
    void the_memory_store_is_bounded_by_bytes() {
        // eight answers of 200 KB: a 1 MiB budget holds at most five of them (before, all eight were kept)
        String big = "x".repeat(200_000);
        for (int i = 0; i < 16; i++) {
            fake.enqueue(Reply.json(completion(big)));
        }
        for (int i = 0; i < 8; i++) {
            assertThat(post(KEY_A, chat("private", "big " + i)).headers().firstValue("x-sluice-cache"))
                    .contains("miss");
        }
        int hits = 0;
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> r = post(KEY_A, chat("private", "big " + i));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains(big);
            hits += r.headers().firstValue("x-sluice-cache").orElse("").equals("hit") ? 1 : 0;
        }
        assertThat(hits).isLessThanOrEqualTo(5);
        assertThat(fake.apiRequests().size()).isGreaterThanOrEqualTo(8 + 3);
    }

    @Test
    void a_stream_over_the_entry_limit_is_relayed_in_full_but_not_stored() {
        // 40 events of 8 KB: 320 KB, over the 256 KiB limit per answer
        String piece = "y".repeat(8_000);
        for (int round = 0; round < 2; round++) {
            Reply.Sse s = Reply.sse().data(chunk("{\"role\":\"assistant\",\"content\":\"\"}", "null"));
            for (int i = 0; i < 40; i++) {
                s.data(chunk("{\"content\":\"" + i + piece + "\"}", "null"));
            }
            fake.enqueue(s.data(chunk("{}", "\"stop\"")));
        }

        HttpResponse<String> first = post(KEY_A, chat("private", "a long story", true));
        HttpResponse<String> second = post(KEY_A, chat("private", "a long story", true));

        assertThat(first.statusCode()).isEqualTo(200);
        for (int i = 0; i < 40; i++) {
            assertThat(first.body()).contains("\"" + i + piece + "\"");
        }
        assertThat(first.body().strip()).endsWith("data: [DONE]");
        assertThat(second.headers().firstValue("x-sluice-cache")).contains("miss");
        assertThat(second.body().strip()).endsWith("data: [DONE]");
        assertThat(fake.apiRequests()).hasSize(2);
    }

    @Test
    void a_streamed_follower_of_a_stalled_leader_gets_keep_alives_then_its_own_timeout() throws Exception {
        // the leader's backend sends one event and then nothing, within its idle and total limits
        fake.enqueue(Reply.sse().data(chunk("{\"role\":\"assistant\",\"content\":\"\"}", "null")).stallAfter(1));
        String body = chat("private", "wedged", true);
        try (RawHttp leader = RawHttp.send(gateway.port(), "POST", "/v1/chat/completions",
                Map.of("Content-Type", "application/json", "Authorization", "Bearer " + KEY_A),
                body.getBytes(StandardCharsets.UTF_8))) {
            fake.takeRequest(Duration.ofSeconds(5));
            long started = System.nanoTime();
            HttpResponse<String> r = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(
                            URI.create(gateway.url() + "/v1/chat/completions"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + KEY_A)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                    .get(15, TimeUnit.SECONDS);
            long waitedMs = (System.nanoTime() - started) / 1_000_000;

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            assertThat(r.body()).startsWith(": keep-alive");
            // the OpenAI in-band error: {"error":{...}} as a data event, and no [DONE] after it
            String last = r.body().strip();
            assertThat(last).contains("data: {\"error\":").contains("REQUEST_TIMEOUT_S").doesNotContain("[DONE]");
            assertThat(waitedMs).isGreaterThanOrEqualTo(1_900);
            assertThat(fake.apiRequests()).hasSize(1);
        }
    }

    @Test
    void a_follower_of_a_stalled_leader_times_out_in_its_dialect() throws Exception {
        fake.enqueue(Reply.hang());
        String body = "{\"model\":\"private\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"hung\"}]}";
        Map<String, String> headers = Map.of("Content-Type", "application/json", "x-api-key", KEY_B,
                "anthropic-version", "2023-06-01");
        try (RawHttp leader = RawHttp.send(gateway.port(), "POST", "/v1/messages", headers,
                body.getBytes(StandardCharsets.UTF_8))) {
            fake.takeRequest(Duration.ofSeconds(5));
            CompletableFuture<HttpResponse<String>> follower = HttpClient.newHttpClient().sendAsync(
                    HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messages"))
                            .header("Content-Type", "application/json").header("x-api-key", KEY_B)
                            .header("anthropic-version", "2023-06-01")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());

            HttpResponse<String> r = follower.get(15, TimeUnit.SECONDS);

            assertThat(r.statusCode()).isEqualTo(504);
            assertThat(Gateway.json(r).path("type").asText()).isEqualTo("error");
            assertThat(Gateway.json(r).path("error").path("type").asText()).isEqualTo("timeout_error");
            assertThat(Gateway.json(r).path("error").path("message").asText()).contains("REQUEST_TIMEOUT_S");
            assertThat(fake.apiRequests()).hasSize(1);
        }
    }
}
