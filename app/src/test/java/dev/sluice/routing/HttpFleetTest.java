package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.env.EnvSettings;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.SimulatedRuntime;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The strategies against each other over real HTTP: the real gateway in front of a fleet of
 * {@link SimulatedRuntime}s (vLLM-shaped: 4 batch slots, a FIFO queue, a prefix cache of 10 conversations, a
 * {@code /metrics} page the gateway polls), driven by 32 streaming conversations of 8 turns. The same shape as
 * {@link SimulatedFleetTest}'s virtual-time model, in wall-clock time scaled by {@code sluice.fleet.scale} (0.25 in
 * the test run: a cached prefill takes 10 ms, an uncached one 100 ms, decoding 75 ms; {@code bench/fleet.sh} runs it
 * at 1). TTFT is what the client sees: from sending the request to the first content chunk. One gateway serves
 * every strategy, as aliases over the same runtimes, measured one after the other with the caches emptied between.
 * Asserted: what holds by a wide margin whatever the machine's load; the tables are printed with
 * {@code -Dsluice.sim.print=true}.
 */
class HttpFleetTest {
    private static final String KEY = "fleet-key-0123456789abcdef0123456789ab";
    private static final int CONVERSATIONS = 32;
    private static final int TURNS = 8;
    private static final double SCALE = Double.parseDouble(System.getProperty("sluice.fleet.scale", "0.25"));
    private static final int SEEDS = Integer.getInteger("sluice.fleet.seeds", 1);
    private static final SimulatedRuntime.Timing TIMING = new SimulatedRuntime.Timing(Duration.ofMillis(40),
            Duration.ofMillis(400), Duration.ofMillis(300)).scaled(SCALE);

    private static final List<SimulatedRuntime> even = new ArrayList<>();
    private static final List<SimulatedRuntime> oneSlow = new ArrayList<>();
    private static Path file;
    private static Gateway gateway;
    private static HttpClient client;

    record Result(String strategy, double hitRate, long p50, long p99, int requests, int failed) {
        @Override
        public String toString() {
            return String.format("| %-16s | %5.1f %% | %6d ms | %6d ms | %d | %d |", strategy, hitRate * 100, p50, p99,
                    requests, failed);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        for (int i = 0; i < 4; i++) {
            even.add(new SimulatedRuntime(TIMING, 1, 4, 10));
            oneSlow.add(new SimulatedRuntime(TIMING, i == 0 ? 4 : 1, 4, 10));
        }
        StringBuilder models = new StringBuilder();
        for (String strategy : List.of("rr", "ll", "pa")) {
            for (SimulatedRuntime r : even) {
                models.append(deployment(strategy, r));
            }
            for (SimulatedRuntime r : oneSlow) {
                models.append(deployment(strategy + "-slow", r));
            }
        }
        long poll = Math.max(50, Math.round(200 * SCALE));
        file = Files.createTempFile("sluice-fleet", ".yaml");
        Files.writeString(file, """
                model_list:
                %s
                general_settings:
                  master_key: %s
                  allowed_fails: 1000
                  num_retries: 0
                  load_poll_interval: %dms
                  routing_strategy_per_alias: {ll: least_loaded, ll-slow: least_loaded, pa: prefix_affinity, \
                pa-slow: prefix_affinity}
                """.formatted(models, KEY, poll));
        gateway = Gateway.builder().env("sluice.config.file", file.toString()).start();
        client = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    private static String deployment(String alias, SimulatedRuntime r) {
        return "  - {model_name: %s, params: {model: hosted_vllm/m, api_base: \"%s\"}}\n".formatted(alias, r.baseUrl());
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        even.forEach(SimulatedRuntime::close);
        oneSlow.forEach(SimulatedRuntime::close);
        Files.deleteIfExists(file);
        Files.deleteIfExists(EnvSettings.keysFile(name -> null, file));
    }

    /** One measured run: every conversation to its end through {@code alias}. */
    private static Result run(String name, String alias, List<SimulatedRuntime> fleet, long seed) throws Exception {
        fleet.forEach(SimulatedRuntime::reset);
        Thread.sleep(Math.round(600 * SCALE)); // the gateway's load readings catch up with the idle fleet
        List<Long> ttft = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failed = new AtomicInteger();
        Random seeds = new Random(seed);
        long[] conversationSeeds = IntStream.range(0, CONVERSATIONS).mapToLong(i -> seeds.nextLong()).toArray();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CONVERSATIONS; c++) {
                int conversation = c;
                threads.submit(() -> {
                    converse(alias, conversation, new Random(conversationSeeds[conversation]), seed, ttft, failed);
                    return null;
                });
            }
        }
        int hits = fleet.stream().mapToInt(SimulatedRuntime::hits).sum();
        int later = fleet.stream().mapToInt(SimulatedRuntime::laterTurns).sum();
        List<Long> sorted = ttft.stream().sorted().toList();
        return new Result(name, later == 0 ? 0 : (double) hits / later, sorted.get(sorted.size() / 2),
                sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1), sorted.size(), failed.get());
    }

    private static void converse(String alias, int c, Random rnd, long seed, List<Long> ttft, AtomicInteger failed)
            throws Exception {
        Thread.sleep(Math.round(rnd.nextInt(500) * SCALE));
        // the system prompt makes each run's conversations new to the runtimes' caches and to the gateway's table
        StringBuilder messages = new StringBuilder("{\"role\":\"system\",\"content\":\"You help with case %d of %s-%d.\"}"
                .formatted(c, alias, seed));
        for (int turn = 0; turn < TURNS; turn++) {
            messages.append(",{\"role\":\"user\",\"content\":\"turn %d\"}".formatted(turn));
            String body = "{\"model\":\"%s\",\"stream\":true,\"messages\":[%s]}".formatted(alias, messages);
            long sent = System.nanoTime();
            HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(
                    URI.create(gateway.url() + "/v1/chat/completions")).header("authorization", "Bearer " + KEY)
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long first = -1;
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (first < 0 && line.startsWith("data:") && line.contains("\"content\"")) {
                        first = System.nanoTime();
                    }
                }
            }
            if (response.statusCode() != 200 || first < 0) {
                failed.incrementAndGet();
            } else {
                ttft.add(Math.round((first - sent) / 1e6 / SCALE)); // reported in the model's milliseconds
            }
            messages.append(",{\"role\":\"assistant\",\"content\":\"ok\"}");
            long think = c % 4 == 0 ? 0 : 300 + rnd.nextInt(1200); // every fourth conversation: no think time
            Thread.sleep(Math.round(think * SCALE));
        }
    }

    private static void print(String title, List<Result> rows) {
        if (Boolean.getBoolean("sluice.sim.print")) {
            System.out.println(title + " (over HTTP, scale " + SCALE + ", times in the model's ms)");
            System.out.println("| strategy | cache hits (turns 2+) | p50 TTFT | p99 TTFT | requests | failed |");
            rows.forEach(System.out::println);
        }
    }

    @Test
    void prefix_affinity_doubles_the_cache_hit_rate_and_least_loaded_avoids_the_slow_deployment() throws Exception {
        List<Result> evenRows = new ArrayList<>();
        List<Result> slowRows = new ArrayList<>();
        // a cold gateway (interpreted code, connections not yet open) would make the first strategy measured look slow
        run("warm-up", "ll", even, 0);
        for (long seed = 1; seed <= SEEDS; seed++) {
            Result rr = run("weighted (rr)", "rr", even, seed);
            Result ll = run("least_loaded", "ll", even, seed);
            Result pa = run("prefix_affinity", "pa", even, seed);
            evenRows.addAll(List.of(rr, ll, pa));
            Result rrSlow = run("weighted (rr)", "rr-slow", oneSlow, seed);
            Result llSlow = run("least_loaded", "ll-slow", oneSlow, seed);
            Result paSlow = run("prefix_affinity", "pa-slow", oneSlow, seed);
            slowRows.addAll(List.of(rrSlow, llSlow, paSlow));

            for (Result r : List.of(rr, ll, pa, rrSlow, llSlow, paSlow)) {
                assertThat(r.failed()).as("%s", r).isZero();
                assertThat(r.requests()).as("%s", r).isEqualTo(CONVERSATIONS * TURNS);
            }
            assertThat(pa.hitRate()).as("%s vs %s", pa, rr).isGreaterThanOrEqualTo(2 * rr.hitRate());
            assertThat(pa.p50()).as("%s vs %s", pa, rr).isLessThan(rr.p50());
            assertThat(llSlow.p99()).as("%s vs %s", llSlow, rrSlow).isLessThan(rrSlow.p99());
        }
        print("even fleet", evenRows);
        print("one deployment 4x slower", slowRows);
    }
}
