package dev.sluice.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.sluice.testing.AnthropicSdk;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.Reply;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The response cache end to end over real HTTP, counting what reaches the backend: repeated, expired,
 * streamed (through both SDKs), bypassed, failed and concurrent requests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponseCacheTest {
    private FakeRuntime fake;
    private Gateway gateway;
    private OpenAIClient openAi;
    private AnthropicClient anthropic;

    @BeforeAll
    void start() throws Exception {
        fake = FakeRuntime.vllm();
        Path file = Files.createTempFile("sluice-cache", ".yaml");
        Files.writeString(file, """
                model_list:
                  - model_name: cached
                    params: {model: vllm/served, api_base: %1$s}
                    cache: {ttl: 60, backend: memory, max_entries: 100}
                  - model_name: short
                    params: {model: vllm/served, api_base: %1$s}
                    cache: {ttl: 400ms}
                  - model_name: plain
                    params: {model: vllm/served, api_base: %1$s}
                """.formatted(fake.baseUrl()));
        gateway = Gateway.builder().env("sluice.config.file", file.toString()).start();
        openAi = gateway.openAi("any");
        anthropic = AnthropicSdk.withApiKey(gateway, "any");
    }

    @AfterAll
    void stop() {
        gateway.close();
        fake.close();
    }

    @BeforeEach
    void reset() {
        fake.reset();
    }

    private static String chat(String model, String text) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    private static String completion(String text) {
        return "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"served\",\"choices\":"
                + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
                + "\"total_tokens\":4}}";
    }

    private static Reply.Sse stream(String... deltas) {
        String chunk = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"served\","
                + "\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}";
        Reply.Sse s = Reply.sse().data(chunk.formatted("{\"role\":\"assistant\",\"content\":\"\"}", "null"));
        for (String d : deltas) {
            s.data(chunk.formatted("{\"content\":\"" + d + "\"}", "null"));
        }
        return s.data(chunk.formatted("{}", "\"stop\""));
    }

    private double count(String alias, String result) {
        var c = gateway.bean(MeterRegistry.class).find("sluice.cache.requests").tag("alias", alias)
                .tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void a_repeated_json_request_is_served_from_the_cache() {
        fake.enqueue(Reply.json(completion("first")));
        fake.enqueue(Reply.json(completion("second")));
        double hits = count("cached", "hit");

        HttpResponse<String> miss = gateway.post("/v1/chat/completions", chat("cached", "repeat me"));
        // same request, other key order and spacing
        HttpResponse<String> hit = gateway.post("/v1/chat/completions",
                "{ \"messages\": [{\"content\": \"repeat me\", \"role\": \"user\"}], \"model\": \"cached\" }");

        assertThat(miss.statusCode()).isEqualTo(200);
        assertThat(miss.headers().firstValue("x-sluice-cache")).contains("miss");
        assertThat(hit.statusCode()).isEqualTo(200);
        assertThat(hit.headers().firstValue("x-sluice-cache")).contains("hit");
        assertThat(hit.headers().firstValue("Age")).isPresent();
        assertThat(hit.body()).isEqualTo(miss.body()).contains("first");
        assertThat(fake.apiRequests()).hasSize(1);
        assertThat(count("cached", "hit")).isEqualTo(hits + 1);
    }

    @Test
    void an_alias_without_a_cache_always_goes_to_the_backend() {
        fake.enqueue(Reply.json(completion("one")));
        fake.enqueue(Reply.json(completion("two")));

        HttpResponse<String> first = gateway.post("/v1/chat/completions", chat("plain", "hi"));
        HttpResponse<String> second = gateway.post("/v1/chat/completions", chat("plain", "hi"));

        assertThat(first.body()).contains("one");
        assertThat(second.body()).contains("two");
        assertThat(second.headers().firstValue("x-sluice-cache")).isEmpty();
        assertThat(fake.apiRequests()).hasSize(2);
    }

    @Test
    void an_answer_expires_after_its_ttl() throws Exception {
        fake.enqueue(Reply.json(completion("old")));
        fake.enqueue(Reply.json(completion("new")));

        String first = gateway.post("/v1/chat/completions", chat("short", "ttl")).body();
        String again = gateway.post("/v1/chat/completions", chat("short", "ttl")).body();
        Thread.sleep(600);
        HttpResponse<String> later = gateway.post("/v1/chat/completions", chat("short", "ttl"));

        assertThat(first).contains("old");
        assertThat(again).isEqualTo(first);
        assertThat(later.body()).contains("new");
        assertThat(later.headers().firstValue("x-sluice-cache")).contains("miss");
        assertThat(fake.apiRequests()).hasSize(2);
    }

    @Test
    void a_streamed_hit_is_replayed_as_a_stream_the_openai_sdk_parses() {
        fake.enqueue(stream("Hel", "lo", "!"));
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("cached")
                .addUserMessage("stream me").build();

        List<String> first = deltas(params);
        List<String> second = deltas(params);

        assertThat(first).containsExactly("", "Hel", "lo", "!");
        assertThat(second).isEqualTo(first);
        assertThat(fake.apiRequests()).hasSize(1);

        // raw: the replay is the same well-formed stream, ending with [DONE]
        HttpResponse<String> raw = gateway.post("/v1/chat/completions",
                "{\"model\":\"cached\",\"messages\":[{\"role\":\"user\",\"content\":\"stream me\"}],\"stream\":true}");
        assertThat(raw.headers().firstValue("x-sluice-cache")).contains("hit");
        assertThat(raw.headers().firstValue("content-type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("text/event-stream"));
        assertThat(raw.body().strip()).endsWith("data: [DONE]");
        assertThat(fake.apiRequests()).hasSize(1);
    }

    private List<String> deltas(ChatCompletionCreateParams params) {
        List<String> out = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = openAi.chat().completions().createStreaming(params)) {
            s.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(out::add)));
        }
        return out;
    }

    @Test
    void a_streamed_hit_is_replayed_as_a_stream_the_anthropic_sdk_parses() {
        fake.enqueue(stream("Hi", " there"));
        MessageCreateParams params = MessageCreateParams.builder().model("cached").maxTokens(100)
                .addUserMessage("anthropic stream").build();

        Message first = AnthropicSdk.accumulate(anthropic.messages().createStreaming(params));
        Message second = AnthropicSdk.accumulate(anthropic.messages().createStreaming(params));

        assertThat(text(first)).isEqualTo("Hi there");
        assertThat(text(second)).isEqualTo(text(first));
        assertThat(second.stopReason()).contains(StopReason.END_TURN);
        assertThat(fake.apiRequests()).hasSize(1);
    }

    private static String text(Message m) {
        return m.content().stream().flatMap(b -> b.text().stream()).map(t -> t.text())
                .collect(Collectors.joining());
    }

    @Test
    void cache_control_no_cache_skips_the_lookup_and_no_store_skips_storing() {
        fake.enqueue(Reply.json(completion("v1")));
        fake.enqueue(Reply.json(completion("v2")));
        fake.enqueue(Reply.json(completion("v3")));
        String body = chat("cached", "bypass me");

        gateway.post("/v1/chat/completions", body);
        HttpResponse<String> fresh = gateway.post("/v1/chat/completions", body, "Cache-Control", "no-cache");
        HttpResponse<String> afterFresh = gateway.post("/v1/chat/completions", body);
        HttpResponse<String> noStore = gateway.post("/v1/chat/completions", body, "Cache-Control", "no-store");
        HttpResponse<String> afterNoStore = gateway.post("/v1/chat/completions", body);

        assertThat(fresh.headers().firstValue("x-sluice-cache")).contains("bypass");
        assertThat(fresh.body()).contains("v2");
        assertThat(afterFresh.body()).as("no-cache still stores the fresh answer").contains("v2");
        assertThat(noStore.body()).contains("v3");
        assertThat(afterNoStore.body()).as("no-store does not").contains("v2");
        assertThat(fake.apiRequests()).hasSize(3);
        assertThat(count("cached", "bypass")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void errors_are_not_cached() {
        fake.enqueue(Reply.error(400, "bad things", "BadRequestError"));
        fake.enqueue(Reply.json(completion("fine")));
        String body = chat("cached", "fail once");

        HttpResponse<String> failed = gateway.post("/v1/chat/completions", body);
        HttpResponse<String> ok = gateway.post("/v1/chat/completions", body);

        assertThat(failed.statusCode()).isEqualTo(400);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("fine");
        assertThat(ok.headers().firstValue("x-sluice-cache")).contains("miss");
        assertThat(fake.apiRequests()).hasSize(2);
    }

    @Test
    void a_stream_cut_short_is_not_cached() {
        fake.enqueue(stream("a", "b", "c").cutAfter(2));
        fake.enqueue(stream("whole"));
        String body = "{\"model\":\"cached\",\"messages\":[{\"role\":\"user\",\"content\":\"cut\"}],\"stream\":true}";

        HttpResponse<String> cut = gateway.post("/v1/chat/completions", body);
        HttpResponse<String> whole = gateway.post("/v1/chat/completions", body);

        assertThat(cut.body()).doesNotContain("\"c\"");
        assertThat(whole.headers().firstValue("x-sluice-cache")).contains("miss");
        assertThat(whole.body()).contains("whole");
        assertThat(fake.apiRequests()).hasSize(2);
    }

    @Test
    void ten_identical_concurrent_requests_make_one_upstream_call() {
        fake.enqueue(Reply.json(completion("shared")).after(Duration.ofMillis(700)));
        fake.enqueue(Reply.json(completion("should not be used")));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chat("cached", "all at once"))).build();

        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses = all.stream().map(CompletableFuture::join).toList();

        assertThat(responses).allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("shared");
        });
        assertThat(responses.stream().filter(r -> r.headers().firstValue("x-sluice-cache").orElse("").equals("miss")))
                .hasSize(1);
        assertThat(fake.apiRequests()).hasSize(1);
    }

    @Test
    void concurrent_identical_requests_share_the_leaders_error() {
        fake.enqueue(Reply.json(400, new String(fake.errorBody(400, "no good", "BadRequestError"),
                java.nio.charset.StandardCharsets.UTF_8)).after(Duration.ofMillis(500)));
        fake.enqueue(Reply.json(completion("later")));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chat("cached", "shared failure"))).build();

        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses = all.stream().map(CompletableFuture::join).toList();

        assertThat(responses).allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("no good");
        });
        assertThat(fake.apiRequests()).hasSize(1);
    }

    @Test
    void a_follower_makes_its_own_call_when_the_leaders_client_leaves() throws Exception {
        fake.enqueue(Reply.json(completion("never delivered")).after(Duration.ofMillis(1500)));
        fake.enqueue(Reply.json(completion("for the follower")));
        String body = chat("cached", "leader leaves");
        dev.sluice.testing.RawHttp leader = dev.sluice.testing.RawHttp.send(gateway.port(), "POST",
                "/v1/chat/completions", java.util.Map.of("Content-Type", "application/json"),
                body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        fake.takeRequest(Duration.ofSeconds(5));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        CompletableFuture<HttpResponse<String>> follower = http.sendAsync(
                HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(200);
        leader.close();

        HttpResponse<String> r = follower.get(10, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("for the follower");
        assertThat(fake.apiRequests()).hasSize(2);
    }

    @Test
    void a_follower_that_leaves_does_not_cancel_the_leader() throws Exception {
        fake.enqueue(Reply.json(completion("leader's")).after(Duration.ofMillis(600)));
        String body = chat("cached", "follower leaves");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        CompletableFuture<HttpResponse<String>> leader = http.sendAsync(
                HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        fake.takeRequest(Duration.ofSeconds(5));
        dev.sluice.testing.RawHttp follower = dev.sluice.testing.RawHttp.send(gateway.port(), "POST",
                "/v1/chat/completions", java.util.Map.of("Content-Type", "application/json"),
                body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Thread.sleep(100);
        follower.close();

        HttpResponse<String> r = leader.get(10, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("leader's");
        assertThat(fake.apiRequests()).hasSize(1);
    }

    @Test
    void identical_concurrent_streams_make_one_upstream_call_and_each_gets_the_whole_stream() {
        fake.enqueue(stream("one", " stream").headerDelay(Duration.ofMillis(500)));
        fake.enqueue(stream("should not be used"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"cached\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"concurrent stream\"}]}")).build();

        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses = all.stream().map(CompletableFuture::join).toList();

        assertThat(responses).allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"one\"").contains("\" stream\"");
            assertThat(r.body().strip()).endsWith("data: [DONE]");
            assertThat(r.body()).isEqualTo(responses.get(0).body());
        });
        assertThat(fake.apiRequests()).hasSize(1);
    }
}
