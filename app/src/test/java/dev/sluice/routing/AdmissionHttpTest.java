package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Admission control behind the real gateway, over loopback: one fake vLLM with {@code max_concurrency: 1}, whose
 * one slot a held stream occupies while the test lines requests up behind it (each one is in the queue before the
 * next is sent). Served when the slot frees; shed with 429 / 529 and Retry-After on a full queue or a passed
 * {@code queue_timeout}; served by priority, then in turns between keys; a stream waiting past KEEPALIVE_S gets its
 * 200 and keep-alives; clients that leave take no slot with them.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AdmissionHttpTest {
    private static final String MASTER = "master-key-0123456789abcdef0123456789";
    private static final String HIGH = "high-key-0123456789abcdef0123456789ab";
    private static final String TEAM_A = "team-a-key-0123456789abcdef0123456789";
    private static final String TEAM_B = "team-b-key-0123456789abcdef0123456789";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static FakeRuntime fake;
    private static Path file;
    private static Gateway gateway;
    private static Pool pool;
    private static Upstream deployment;

    @BeforeAll
    static void start() throws Exception {
        fake = FakeRuntime.vllm();
        file = Files.createTempFile("sluice-admission", ".yaml");
        Files.writeString(file, """
                model_list:
                  - {model_name: m, params: {model: hosted_vllm/m, api_base: "%s", max_concurrency: 1}}
                general_settings:
                  master_key: %s
                  allowed_fails: 1000
                  num_retries: 0
                  queue_size: 5
                  queue_timeout: 3s
                keys:
                  - {name: high, key: %s, priority: 10}
                  - {name: team-a, key: %s}
                  - {name: team-b, key: %s}
                """.formatted(fake.baseUrl(), MASTER, HIGH, TEAM_A, TEAM_B));
        gateway = Gateway.builder().env("sluice.config.file", file.toString()).env("KEEPALIVE_S", 1).start();
        pool = gateway.bean(Router.class).pool("m");
        deployment = pool.upstreams().get(0);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        fake.close();
        Files.deleteIfExists(file);
    }

    @AfterEach
    void nothingLeftHeld() throws Exception {
        eventually(() -> deployment.held() == 0 && pool.admission().depth() == 0, "slot free and queue empty");
        fake.reset();
    }

    // --- helpers ---

    private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what + " (held "
                        + deployment.held() + ", waiting " + pool.admission().depth() + ")");
            }
            Thread.sleep(5);
        }
    }

    private static void waiting(int n) throws InterruptedException {
        eventually(() -> pool.admission().depth() == n, n + " waiting");
    }

    /** A stream the fake holds open until {@code release} opens: it takes the one slot. */
    private static RawHttp hold(CountDownLatch release) throws Exception {
        fake.enqueue(Reply.sse().data(Chunks.delta("h", "held")).await(release).data(Chunks.stop("h")));
        RawHttp h = send(MASTER, "/v1/chat/completions", chat("holder", true));
        assertThat(h.readHead(WAIT).status()).isEqualTo(200);
        assertThat(fake.takeRequest(WAIT).body()).isNotEmpty();
        eventually(() -> deployment.held() == 1, "the holder has the slot");
        return h;
    }

    private static String chat(String text, boolean stream) {
        return "{\"model\":\"m\"," + (stream ? "\"stream\":true," : "") + "\"messages\":[{\"role\":\"user\","
                + "\"content\":\"" + text + "\"}]}";
    }

    private static String messages(String text, boolean stream) {
        return "{\"model\":\"m\",\"max_tokens\":8," + (stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    private static RawHttp send(String key, String path, String body) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        if (path.startsWith("/v1/messages")) {
            h.put("x-api-key", key);
            h.put("anthropic-version", "2023-06-01");
        } else {
            h.put("Authorization", "Bearer " + key);
        }
        return RawHttp.send(gateway.port(), "POST", path, h, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a request and waits until it is in the queue. */
    private static RawHttp queue(String key, String text, int depthAfter) throws Exception {
        RawHttp r = send(key, "/v1/chat/completions", chat(text, false));
        waiting(depthAfter);
        return r;
    }

    /** Which requests reached the fake, by their user text, in order. */
    private static List<String> arrivals(int n) throws Exception {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RecordedRequest r = fake.takeRequest(WAIT);
            out.add(Gateway.json(new String(r.body(), StandardCharsets.UTF_8)).path("messages").path(0)
                    .path("content").asText());
        }
        return out;
    }

    private static String events(RawHttp r) throws IOException {
        return r.readEvents(WAIT).stream().map(RawHttp.Event::text).collect(Collectors.joining());
    }

    // --- tests ---

    @Test
    void a_request_waits_while_the_deployment_is_full_and_is_served_when_its_slot_frees() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (RawHttp holder = hold(release); RawHttp queued = queue(TEAM_A, "queued", 1)) {
            Thread.sleep(200);
            assertThat(Fleet.chatRequests(fake)).as("nothing beyond the slot reached the runtime").isEqualTo(1);
            fake.enqueue(Fleet.ok("served"));
            release.countDown();
            assertThat(queued.readHead(WAIT).status()).isEqualTo(200);
            assertThat(queued.bodyText(WAIT)).contains("served");
            assertThat(events(holder)).contains("[DONE]");
        }
        String metrics = gateway.get("/metrics").body();
        assertThat(metrics).contains("sluice_admission_total{alias=\"m\",key=\"team-a\",outcome=\"admitted\"}")
                .contains("sluice_queue_wait_seconds_count{alias=\"m\"")
                .contains("sluice_queue_depth{alias=\"m\"} 0.0")
                .contains("sluice_route_choice_total{alias=\"m\",deployment=\"m#1\",strategy=\"weighted\"}");
    }

    @Test
    void a_full_queue_sheds_with_429_for_openai_clients_and_529_for_anthropic_ones() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<RawHttp> queued = new ArrayList<>();
        try (RawHttp holder = hold(release)) {
            for (int i = 1; i <= 5; i++) {
                queued.add(queue(TEAM_A, "q" + i, i));
            }
            HttpResponse<String> openAi = gateway.post("/v1/chat/completions", chat("one more", false),
                    "Authorization", "Bearer " + TEAM_B);
            assertThat(openAi.statusCode()).isEqualTo(429);
            assertThat(openAi.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(v)
                    .matches("[1-9][0-9]*"));
            assertThat(openAi.headers().firstValue("x-should-retry")).hasValue("true");
            JsonNode error = Gateway.json(openAi).path("error");
            assertThat(error.path("code").asText()).isEqualTo("overloaded");
            assertThat(error.path("message").asText()).contains("max_concurrency").contains("queue_size");

            HttpResponse<String> anthropic = gateway.post("/v1/messages", messages("one more", false), "x-api-key",
                    TEAM_B, "anthropic-version", "2023-06-01");
            assertThat(anthropic.statusCode()).isEqualTo(529);
            assertThat(anthropic.headers().firstValue("Retry-After")).isPresent();
            assertThat(Gateway.json(anthropic).path("type").asText()).isEqualTo("error");
            assertThat(Gateway.json(anthropic).path("error").path("type").asText()).isEqualTo("overloaded_error");

            HttpResponse<String> responses = gateway.post("/v1/responses",
                    "{\"model\":\"m\",\"input\":\"one more\"}", "Authorization", "Bearer " + TEAM_B);
            assertThat(responses.statusCode()).isEqualTo(429);
            assertThat(Fleet.chatRequests(fake)).as("shed requests never reach the runtime").isEqualTo(1);

            Fleet.repeat(fake, Fleet.ok("served"), 5);
            release.countDown();
            for (RawHttp q : queued) {
                assertThat(q.readHead(WAIT).status()).isEqualTo(200);
            }
        } finally {
            for (RawHttp q : queued) {
                q.close();
            }
        }
        assertThat(gateway.get("/metrics").body())
                .contains("sluice_admission_total{alias=\"m\",key=\"team-b\",outcome=\"shed_full\"} 3.0");
    }

    @Test
    void a_request_still_waiting_at_queue_timeout_is_shed_with_429() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (RawHttp holder = hold(release); RawHttp late = queue(TEAM_A, "late", 1)) {
            long sent = System.nanoTime();
            assertThat(late.readHead(WAIT).status()).isEqualTo(429);
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("not before its deadline")
                    .isGreaterThan(Duration.ofMillis(2500));
            assertThat(late.header("Retry-After")).isNotNull();
            assertThat(Gateway.json(late.bodyText(WAIT)).path("error").path("message").asText())
                    .contains("queue_timeout");
            assertThat(pool.admission().depth()).isZero();
            release.countDown();
        }
    }

    @Test
    void a_higher_priority_key_is_served_before_a_lower_one_that_came_first() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (RawHttp holder = hold(release); RawHttp low = queue(TEAM_A, "low", 1);
                RawHttp high = queue(HIGH, "high", 2)) {
            Fleet.repeat(fake, Fleet.ok("served"), 2);
            release.countDown();
            assertThat(arrivals(2)).containsExactly("high", "low");
            assertThat(low.readHead(WAIT).status()).isEqualTo(200);
            assertThat(high.readHead(WAIT).status()).isEqualTo(200);
        }
    }

    @Test
    void keys_of_the_same_priority_take_turns_so_a_burst_cannot_starve_another_key() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<RawHttp> queued = new ArrayList<>();
        try (RawHttp holder = hold(release)) {
            queued.add(queue(TEAM_A, "a1", 1));
            queued.add(queue(TEAM_A, "a2", 2));
            queued.add(queue(TEAM_A, "a3", 3));
            queued.add(queue(TEAM_B, "b1", 4));
            queued.add(queue(TEAM_B, "b2", 5));
            Fleet.repeat(fake, Fleet.ok("served"), 5);
            release.countDown();
            assertThat(arrivals(5)).containsExactly("a1", "b1", "a2", "b2", "a3");
            for (RawHttp q : queued) {
                assertThat(q.readHead(WAIT).status()).isEqualTo(200);
            }
        } finally {
            for (RawHttp q : queued) {
                q.close();
            }
        }
    }

    @Test
    void a_stream_waiting_past_keepalive_gets_its_200_and_keep_alives_then_its_answer() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (RawHttp holder = hold(release);
                RawHttp stream = send(TEAM_A, "/v1/chat/completions", chat("streamed", true))) {
            waiting(1);
            assertThat(stream.readHead(WAIT).status()).as("its head once KEEPALIVE_S (1 s) passed").isEqualTo(200);
            assertThat(stream.header("content-type")).startsWith("text/event-stream");
            assertThat(pool.admission().depth()).as("still waiting for the slot").isEqualTo(1);
            assertThat(stream.nextEvent(WAIT).text()).isEqualTo(": keep-alive\n\n");
            fake.enqueue(Fleet.okStream("answer"));
            release.countDown();
            String rest = events(stream);
            assertThat(rest).contains("answer").contains("[DONE]").doesNotContain("error");
        }
    }

    @Test
    void a_stream_shed_after_its_200_ends_with_an_error_event_in_its_dialect() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (RawHttp holder = hold(release);
                RawHttp openAi = send(TEAM_A, "/v1/chat/completions", chat("never", true));
                RawHttp anthropic = send(TEAM_B, "/v1/messages", messages("never", true))) {
            waiting(2);
            assertThat(openAi.readHead(WAIT).status()).isEqualTo(200);
            assertThat(anthropic.readHead(WAIT).status()).isEqualTo(200);
            String a = events(anthropic);
            assertThat(a).startsWith(": keep-alive").contains("event: error").contains("\"overloaded_error\"")
                    .contains("queue_timeout").doesNotContain("message_stop");
            String o = events(openAi);
            assertThat(o).startsWith(": keep-alive").contains("data: {\"error\"").contains("queue_timeout")
                    .doesNotContain("[DONE]");
            release.countDown();
        }
    }

    @Test
    void clients_that_leave_while_waiting_free_their_places_and_take_no_slot() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (RawHttp holder = hold(release)) {
            List<RawHttp> leaving = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                leaving.add(queue(TEAM_A, "gone" + i, i));
            }
            for (RawHttp r : leaving) {
                r.close();
            }
            waiting(0);
            release.countDown();
            eventually(() -> deployment.held() == 0, "the holder's slot back");
        }
        fake.enqueue(Fleet.ok("after"));
        HttpResponse<String> after = gateway.post("/v1/chat/completions", chat("after", false), "Authorization",
                "Bearer " + TEAM_A);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(Fleet.chatRequests(fake)).as("none of the gone clients reached the runtime").isEqualTo(2);
        // The slot goes back when the response's last byte is written, which can be just after the client has read it.
        eventually(() -> deployment.held() == 0, "the slot of the request after back");
    }
}
