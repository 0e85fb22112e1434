package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.TestClock;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Config reload under steady load (issue 17): 20 reloads, valid and invalid, through the file watch and through the
 * SIGHUP path, changing pools, keys, per-alias limits and fallbacks, while client threads send plain and streamed
 * requests on loopback. Not one of those requests may fail, each valid file must be in force right after its reload
 * (its new key and alias work, the previous ones are refused, its limit and fallback apply), and each invalid file
 * must leave the last good one in force, be counted and be logged without the secrets it holds.
 */
class ConfigReloadTest {
    static final String STEADY = "steady-secret-0123456789";
    static final String MASTER = "master-secret-0123456789";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    /**
     * Valid config number {@code i}: alias new-i and key key-i, the limited alias at {@code rpm}, broken-i -> chat,
     * and the pool of chat, which the steady load uses, one deployment larger in every other config.
     */
    static String valid(int i, int rpm) {
        return """
                model_list:
                  - {model_name: chat, params: {model: sim/chat}}%5$s
                  - {model_name: new-%1$d, params: {model: sim/new}}
                  - {model_name: limited, params: {model: sim/limited, rpm: %2$d}}
                  - {model_name: broken-%1$d, params: {model: vllm/x, api_base: "http://127.0.0.1:1/v1"}}
                keys:
                  - {name: steady, key: %3$s}
                  - {name: key-%1$d, key: key-%1$d-secret-0123456789}
                general_settings:
                  master_key: %4$s
                  num_retries: 0
                  fallbacks: [{broken-%1$d: [chat]}]
                """.formatted(i, rpm, STEADY, MASTER, chatPool(i) == 1 ? ""
                        : "\n  - {model_name: chat, params: {model: sim/chat-b}}");
    }

    /** How many deployments the chat pool has in valid config {@code i}. */
    static int chatPool(int i) {
        return i % 2 == 0 ? 1 : 2;
    }

    /** Four ways a file goes wrong; each holds a secret that must not reach the log. */
    static String invalid(int i) {
        return switch (i % 4) {
            case 0 -> "model_list: [{model_name: chat, params: {model: sim/chat}}\nkeys: [{name: x, key: sk-leak-1}";
            case 1 -> "model_list:\n  - {model_name: chat, params: {model: nosuchprovider/chat, api_key: sk-leak-1}}\n";
            case 2 -> "model_list:\n  - {model_name: chat, params: {model: sim/chat}}\nkeys:\n"
                    + "  - {key: sk-leak-1-0123456789}\n";
            // valid YAML and deployments, but no key at all: would open the gateway, so refused
            default -> "model_list:\n  - {model_name: chat, params: {model: sim/chat, api_key: sk-leak-1}}\n";
        };
    }

    static String chat(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    void write(Path file, String text) throws Exception {
        // as editors, kubectl and config managers do: the reader sees the old file or the new one, never half
        Path tmp = Files.writeString(dir.resolve("next.yaml"), text);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static double count(Gateway g, String result) {
        var c = g.bean(MeterRegistry.class).find("sluice.config.reloads").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    static void awaitCount(Gateway g, String result, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (count(g, result) < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(count(g, result)).as("reloads with result " + result).isEqualTo(expected);
    }

    HttpResponse<String> post(Gateway g, String key, String model, boolean stream) {
        return g.post("/v1/chat/completions", chat(model, stream), "Authorization", "Bearer " + key);
    }

    @Test
    void twentyReloadsUnderLoadFailNoRequestAndEachValidFileIsInForce() throws Exception {
        Path file = dir.resolve("sluice.yaml");
        write(file, valid(0, 1000));
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(ConfigReload.class)).addAppender(logs);
        // a clock that stands still keeps every rpm count in one window; the refused keys below must not get the
        // loopback address throttled
        TestClock clock = TestClock.at(Instant.now());
        try (Gateway g = Gateway.builder().env("sluice.config.file", file.toString()).env("CONFIG_WATCH_MS", 100)
                .env("SIM_TTFT_MS", 0).env("SIM_TOKENS_PER_S", 200).env("AUTH_FAILURES_PER_MINUTE", 0)
                .singleton(clock).start()) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger served = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                boolean stream = t != 0;
                clients.add(Thread.ofPlatform().name("load-" + t).start(() -> {
                    while (running.get()) {
                        HttpResponse<String> r = post(g, STEADY, "chat", stream);
                        if (r.statusCode() != 200 || stream && !r.body().contains("data: [DONE]")) {
                            failures.add(r.statusCode() + " " + r.body());
                        }
                        served.incrementAndGet();
                    }
                }));
            }

            int applied = 0;
            int invalid = 0;
            int good = 0; // the config in force
            try {
                for (int reload = 1; reload <= 20; reload++) {
                    boolean viaSignalPath = reload % 2 == 0;
                    if (reload % 4 == 3) {
                        write(file, invalid(reload / 4));
                        if (viaSignalPath) {
                            // the watch may have seen the file first: then this finds it unchanged
                            assertThat(g.bean(ConfigReload.class).reload(true))
                                    .isIn(ConfigReload.Result.INVALID, ConfigReload.Result.UNCHANGED);
                        }
                        awaitCount(g, "invalid", ++invalid);
                    } else {
                        // a stream on the config in force, still running when the next one removes its key and alias
                        String oldKey = "key-" + good + "-secret-0123456789";
                        String oldAlias = "new-" + good;
                        // its head has arrived (so auth and routing are done) before the new file is written
                        HttpResponse<Stream<String>> inFlight = HTTP.send(HttpRequest.newBuilder(
                                URI.create(g.url() + "/v1/chat/completions"))
                                .header("Authorization", "Bearer " + oldKey).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(chat(oldAlias, true))).build(),
                                HttpResponse.BodyHandlers.ofLines());
                        write(file, valid(reload, reload % 2 == 0 ? 1 : 1000));
                        if (viaSignalPath) {
                            // the watch may have seen the file first: then this finds it unchanged
                            assertThat(g.bean(ConfigReload.class).reload(true))
                                    .isIn(ConfigReload.Result.APPLIED, ConfigReload.Result.UNCHANGED);
                        }
                        awaitCount(g, "applied", ++applied);
                        assertThat(inFlight.statusCode()).as("the stream begun before reload %d", reload)
                                .isEqualTo(200);
                        assertThat(inFlight.body().toList()).as("the stream begun before reload %d", reload)
                                .contains("data: [DONE]");
                        good = reload;
                    }
                    // whatever happened, config `good` is in force: its key and alias, and nothing of the one before
                    String key = "key-" + good + "-secret-0123456789";
                    assertThat(post(g, key, "new-" + good, false).statusCode())
                            .as("new key and alias after %d", reload).isEqualTo(200);
                    assertThat(post(g, key, "broken-" + good, false).statusCode()).as("fallback to chat")
                            .isEqualTo(200);
                    assertThat(Gateway.json(g.get("/health")).path("deployments").findValuesAsText("alias"))
                            .as("the chat pool after %d", reload).filteredOn("chat"::equals).hasSize(chatPool(good));
                    if (good > 0) {
                        int before = good - (good % 4 == 0 ? 2 : 1); // the valid config before `good`
                        assertThat(post(g, "key-" + before + "-secret-0123456789", "chat", false).statusCode())
                                .as("removed key after %d", reload).isEqualTo(401);
                        assertThat(post(g, STEADY, "new-" + before, false).statusCode()).as("removed alias")
                                .isEqualTo(404);
                    }
                    if (good % 2 == 0 && good > 0) { // rpm 1 on 'limited': the second request this minute is refused
                        post(g, STEADY, "limited", false);
                        assertThat(post(g, STEADY, "limited", false).statusCode()).as("rpm 1 after %d", reload)
                                .isEqualTo(429);
                    } else if (good % 2 == 1) { // rpm 1000 again: the same minute, and the limit is lifted
                        assertThat(post(g, STEADY, "limited", false).statusCode()).as("rpm 1000 after %d", reload)
                                .isEqualTo(200);
                    }
                }
            } finally {
                running.set(false);
                for (Thread t : clients) {
                    t.join();
                }
            }

            assertThat(failures).as("requests that failed during 20 reloads").isEmpty();
            assertThat(served.get()).as("requests served during the reloads").isGreaterThan(20);
            assertThat(applied).isEqualTo(15);
            assertThat(invalid).isEqualTo(5);
            assertThat(g.get("/metrics").body()).contains("sluice_config_reloads_total{result=\"applied\"} 15.0")
                    .contains("sluice_config_reloads_total{result=\"invalid\"} 5.0")
                    .as("an alias added by a reload is a model label, not 'other'")
                    .contains("sluice_tokens_total{direction=\"out\",model=\"new-" + good + "\"}");
            List<String> refusals = logs.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("refused")).toList();
            assertThat(refusals).hasSize(5).allSatisfy(m -> assertThat(m).doesNotContain("sk-leak")
                    .contains("the last good config stays in force"));
            assertThat(refusals).anySatisfy(m -> assertThat(m).contains("authentication off"));
        } finally {
            ((Logger) LoggerFactory.getLogger(ConfigReload.class)).detachAppender(logs);
        }
    }

    @Test
    void anUnchangedFileIsCountedOnASignalButNotReappliedAndWithoutAFileThereIsNothingToReload() throws Exception {
        Path file = dir.resolve("sluice.yaml");
        write(file, valid(0, 1000));
        try (Gateway g = Gateway.builder().env("sluice.config.file", file.toString()).env("CONFIG_WATCH_MS", 0)
                .start()) {
            assertThat(g.bean(ConfigReload.class).reload(true)).isEqualTo(ConfigReload.Result.UNCHANGED);
            assertThat(count(g, "applied")).isZero();

            write(file, valid(1, 1000)); // the watch is off: only an explicit reload (SIGHUP) applies it
            Thread.sleep(300);
            assertThat(post(g, "key-1-secret-0123456789", "new-1", false).statusCode()).isEqualTo(401);
            assertThat(g.bean(ConfigReload.class).reload(true)).isEqualTo(ConfigReload.Result.APPLIED);
            assertThat(post(g, "key-1-secret-0123456789", "new-1", false).statusCode()).isEqualTo(200);
        }
        try (Gateway g = Gateway.builder().start()) {
            assertThat(g.bean(ConfigReload.class).reload(true)).isEqualTo(ConfigReload.Result.NO_FILE);
        }
    }
}
