package dev.sluice.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A vLLM-shaped runtime whose speed depends on its state, for routing measurements over real HTTP (docs/ROUTING.md,
 * "simulated fleet"): {@code slots} batch slots with a FIFO queue in front, and a prefix cache of {@code cacheSize}
 * conversations (LRU). A request's time to first token is its wait for a slot plus its prefill, short when the
 * conversation's prefix (system prompt and first user turn) is cached and long when not; then it decodes and ends.
 * Streams OpenAI chunks as vLLM does (usage when {@code stream_options.include_usage}), answers JSON otherwise, and
 * publishes {@code vllm:num_requests_running}, {@code vllm:num_requests_waiting} and
 * {@code vllm:kv_cache_usage_perc} on {@code /metrics}.
 */
public final class SimulatedRuntime implements AutoCloseable {
    /** How long the phases of one request take on a runtime of speed 1. */
    public record Timing(Duration cachedPrefill, Duration uncachedPrefill, Duration decode) {
        public Timing scaled(double factor) {
            return new Timing(times(cachedPrefill, factor), times(uncachedPrefill, factor), times(decode, factor));
        }

        private static Duration times(Duration d, double factor) {
            return Duration.ofNanos(Math.round(d.toNanos() * factor));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Timing timing;
    private final int slotCount;
    private final int cacheSize;
    private final Semaphore slots;
    private final LinkedHashMap<String, Boolean> cache = new LinkedHashMap<>(16, 0.75f, true);
    private final AtomicInteger hits = new AtomicInteger();
    private final AtomicInteger laterTurns = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();

    /** @param slow how many times slower than {@code timing} this runtime is (1: as given) */
    public SimulatedRuntime(Timing timing, double slow, int slotCount, int cacheSize) throws IOException {
        this.timing = timing.scaled(slow);
        this.slotCount = slotCount;
        this.cacheSize = cacheSize;
        this.slots = new Semaphore(slotCount, true);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Empties the cache and the counters, for the next measured run. */
    public synchronized void reset() {
        cache.clear();
        hits.set(0);
        laterTurns.set(0);
        requests.set(0);
    }

    /** Requests after a conversation's first turn that found its prefix cached. */
    public int hits() {
        return hits.get();
    }

    /** Requests after a conversation's first turn. */
    public int laterTurns() {
        return laterTurns.get();
    }

    public int requests() {
        return requests.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.endsWith("/chat/completions") && "POST".equals(ex.getRequestMethod())) {
                chat(ex, JSON.readTree(ex.getRequestBody().readAllBytes()));
            } else if (path.equals("/metrics")) {
                send(ex, 200, "text/plain; version=0.0.4", metrics());
            } else if (path.equals("/health") || path.endsWith("/models")) {
                send(ex, 200, "application/json", "{\"object\":\"list\",\"data\":[{\"id\":\"m\",\"object\":\"model\"}]}");
            } else {
                send(ex, 404, "application/json", "{\"error\":{\"message\":\"not found\",\"code\":404}}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String metrics() {
        double usage;
        synchronized (this) {
            usage = (double) cache.size() / cacheSize;
        }
        return """
                # TYPE vllm:num_requests_running gauge
                vllm:num_requests_running{engine="0",model_name="m"} %d.0
                # TYPE vllm:num_requests_waiting gauge
                vllm:num_requests_waiting{engine="0",model_name="m"} %d.0
                # TYPE vllm:kv_cache_usage_perc gauge
                vllm:kv_cache_usage_perc{engine="0",model_name="m"} %.3f
                """.formatted(slotCount - slots.availablePermits(), slots.getQueueLength(), usage);
    }

    private void chat(HttpExchange ex, JsonNode body) throws IOException, InterruptedException {
        requests.incrementAndGet();
        String prefix = "";
        int userTurns = 0;
        for (JsonNode m : body.path("messages")) {
            String role = m.path("role").asText();
            if (role.equals("user")) {
                userTurns++;
            }
            if (role.equals("system") || role.equals("user") && userTurns == 1) {
                prefix += role + ":" + m.path("content").asText() + "\n";
            }
        }
        boolean stream = body.path("stream").asBoolean(false);
        boolean usage = body.path("stream_options").path("include_usage").asBoolean(false);
        slots.acquire();
        try {
            boolean cached;
            synchronized (this) {
                cached = cache.get(prefix) != null;
                cache.put(prefix, true);
                if (cache.size() > cacheSize) {
                    cache.remove(cache.keySet().iterator().next());
                }
            }
            if (userTurns > 1) {
                laterTurns.incrementAndGet();
                hits.addAndGet(cached ? 1 : 0);
            }
            Thread.sleep(cached ? timing.cachedPrefill() : timing.uncachedPrefill());
            if (!stream) {
                Thread.sleep(timing.decode());
                send(ex, 200, "application/json", """
                        {"id":"chatcmpl-sim","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,\
                        "message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],\
                        "usage":{"prompt_tokens":10,"completion_tokens":1,"total_tokens":11}}""");
                return;
            }
            ex.getResponseHeaders().set("content-type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            event(out, "{\"role\":\"assistant\",\"content\":\"ok\"}", "null");
            Thread.sleep(timing.decode());
            event(out, "{}", "\"stop\"");
            if (usage) {
                out.write(("data: {\"id\":\"chatcmpl-sim\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                        + "\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":1,"
                        + "\"total_tokens\":11}}\n\n").getBytes(StandardCharsets.UTF_8));
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } finally {
            slots.release();
        }
    }

    private static void event(OutputStream out, String delta, String finish) throws IOException {
        out.write(("data: {\"id\":\"chatcmpl-sim\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}\n\n")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", type);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
