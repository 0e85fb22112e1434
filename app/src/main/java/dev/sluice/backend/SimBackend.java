package dev.sluice.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The built-in simulator: an OpenAI-compatible "runtime" inside the gateway that answers with deterministic
 * text, tool calls and embeddings. It is not a model. It exists so the quickstart, tests and benchmarks run
 * with no GPU and no runtime, and it goes through exactly the same pipeline as a real backend.
 */
public final class SimBackend implements Backend {
    private final SimConfig sim;
    private final String model;
    private final BackendProfile profile;
    private volatile EventLoopGroup ownGroup;

    /** @param model the model name answers carry (MODEL_NAME, or "sim") */
    public SimBackend(SimConfig sim, String model, BackendKind kind) {
        this.sim = sim;
        this.model = model;
        this.profile = BackendProfile.of(kind);
    }

    @Override
    public BackendProfile profile() {
        return profile;
    }

    @Override
    public CompletableFuture<UpstreamExchange> send(UpstreamCall call) {
        EventLoop loop = call.loop() != null ? call.loop() : fallbackLoop();
        JsonNode body = call.body() == null ? Json.object() : Json.tryParse(call.body());
        if (body == null || !body.isObject()) {
            return done(error(400, "simulator: request body is not a JSON object", loop));
        }
        SimScript script = new SimScript((ObjectNode) body, model, sim);
        return switch (call.method() + " " + call.path()) {
            case "POST /chat/completions" -> done(call.stream() ? stream(script.chatChunks(), loop)
                    : json(script.chatCompletion(), loop));
            case "POST /completions" -> done(call.stream() ? stream(script.completionChunks(), loop)
                    : json(script.completion(), loop));
            case "POST /embeddings" -> done(json(script.embeddings(), loop));
            case "GET /models" -> done(json(models(), loop));
            default -> done(error(404, "simulator: no route " + call.method() + " " + call.path(), loop));
        };
    }

    private static CompletableFuture<UpstreamExchange> done(UpstreamExchange ex) {
        return CompletableFuture.completedFuture(ex);
    }

    private ObjectNode models() {
        ObjectNode m = Json.object();
        m.put("id", model);
        m.put("object", "model");
        m.put("created", 1_700_000_000L);
        m.put("owned_by", "sluice-sim");
        ObjectNode list = Json.object();
        list.put("object", "list");
        list.putArray("data").add(m);
        return list;
    }

    private UpstreamExchange json(JsonNode body, EventLoop loop) {
        return new SimExchange(200, "application/json",
                List.of(new SimExchange.Piece(0, Json.bytes(body))), loop);
    }

    private UpstreamExchange error(int status, String message, EventLoop loop) {
        ObjectNode err = Json.object();
        err.putObject("error").put("message", message).put("type", "invalid_request_error");
        return new SimExchange(status, "application/json", List.of(new SimExchange.Piece(0, Json.bytes(err))), loop);
    }

    /** The first chunk (role) goes out at once, the next after the time to first token, the rest at the token rate. */
    private UpstreamExchange stream(List<JsonNode> chunks, EventLoop loop) {
        List<SimExchange.Piece> pieces = new ArrayList<>(chunks.size() + 1);
        long ttft = sim.timeToFirstToken().toNanos();
        long gap = sim.tokensPerSecond() > 0 ? (long) (1e9 / sim.tokensPerSecond()) : 0;
        long due = 0;
        for (int i = 0; i < chunks.size(); i++) {
            if (i == 1) {
                due = ttft;
            } else if (i > 1) {
                due += gap;
            }
            byte[] data = ("data: " + Json.string(chunks.get(i)) + "\n\n").getBytes(StandardCharsets.UTF_8);
            pieces.add(new SimExchange.Piece(due, data));
        }
        pieces.add(new SimExchange.Piece(due, "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8)));
        return new SimExchange(200, "text/event-stream", pieces, loop);
    }

    private EventLoop fallbackLoop() {
        EventLoopGroup g = ownGroup;
        if (g == null) {
            synchronized (this) {
                if (ownGroup == null) {
                    ownGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
                }
                g = ownGroup;
            }
        }
        return g.next();
    }

    @Override
    public CompletableFuture<Boolean> probe() {
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public String location() {
        return "builtin:sim";
    }

    @Override
    public void close() {
        EventLoopGroup g = ownGroup;
        if (g != null) {
            g.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
