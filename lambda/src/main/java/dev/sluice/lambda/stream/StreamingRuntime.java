package dev.sluice.lambda.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.ConfigException;
import dev.sluice.config.env.ConfigLoader;
import dev.sluice.config.env.EnvSettings;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.ClientDialect;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.anthropic.AnthropicErrors;
import dev.sluice.protocol.openai.OpenAiErrors;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code provided.al2023} bootstrap: Sluice as a custom Lambda runtime that streams. It starts the normal
 * gateway (same beans, translators, auth and limits) on 127.0.0.1 and a random port inside the function, then
 * loops: next event from the Runtime API, forwarded over loopback HTTP, and the local response streamed back as
 * it arrives (prelude with status and headers, 8 NUL bytes, then each chunk flushed on its own). See
 * docs/LAMBDA-STREAMING.md.
 */
public final class StreamingRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingRuntime.class);
    /** The OpenAI error code of both stream-cap errors (before the headers and mid-stream). */
    static final String STREAM_CAP_CODE = "stream_duration_cap";
    private static final byte[] SEPARATOR = new byte[8];
    /** Request headers java.net.http refuses or that describe the hop, not the request. */
    private static final Set<String> DROP_REQUEST = Set.of("host", "connection", "content-length", "expect",
            "upgrade", "transfer-encoding", "keep-alive", "te", "trailer", "http2-settings");
    /** Response headers the Function URL sets itself. */
    private static final Set<String> DROP_RESPONSE = Set.of("connection", "content-length", "transfer-encoding",
            "keep-alive", "trailer", ":status");

    private final RuntimeApi api;
    private final URI gateway;
    private final StreamLimits limits;
    private final AutoCloseable app;
    private final HttpClient local = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lambda-stream-cap");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean closed = new AtomicBoolean();

    StreamingRuntime(RuntimeApi api, URI gateway, StreamLimits limits, AutoCloseable app) {
        this.api = api;
        this.gateway = gateway;
        this.limits = limits;
        this.app = app;
    }

    public static void main(String[] args) throws Exception {
        String runtimeApi = System.getenv("AWS_LAMBDA_RUNTIME_API");
        if (runtimeApi == null || runtimeApi.isBlank()) {
            System.err.println("sluice: AWS_LAMBDA_RUNTIME_API is not set: this is the Lambda bootstrap, run it inside Lambda");
            System.exit(2);
        }
        StreamingRuntime runtime = boot(new RuntimeApi(runtimeApi), System::getenv, Map.of());
        if (runtime == null) {
            System.exit(2);
        }
        runtime.loop();
    }

    /**
     * Validates the configuration and starts the gateway; a problem is posted to {@code /runtime/init/error} and
     * null comes back. {@code properties} go to Micronaut on top of its own (environment variables included).
     */
    public static StreamingRuntime boot(RuntimeApi api, Function<String, String> env, Map<String, Object> properties)
            throws IOException, InterruptedException {
        StreamLimits limits = null;
        List<String> problems = new ArrayList<>();
        try {
            ConfigLoader.load(env);
            EnvSettings.redis(env);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        try {
            limits = StreamLimits.from(env);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            String message = new ConfigException(problems).getMessage();
            LOG.error("sluice: {}", message);
            api.initError("Runtime.ConfigError", message);
            return null;
        }
        Map<String, Object> props = new HashMap<>(properties);
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("micronaut.server.port", -1);
        props.put("api.host", "127.0.0.1");
        props.put("api.port", "0");
        EmbeddedServer server;
        try {
            server = ApplicationContext.run(EmbeddedServer.class, props);
        } catch (RuntimeException e) {
            LOG.error("sluice: the gateway did not start", e);
            api.initError("Runtime.StartError", String.valueOf(e.getMessage()));
            return null;
        }
        URI gateway = URI.create("http://127.0.0.1:" + server.getPort());
        return new StreamingRuntime(api, gateway, limits, () -> server.getApplicationContext().close());
    }

    /** Environment-style variables as the properties the gateway reads (tests; Lambda has real variables). */
    public static Map<String, Object> asProperties(Map<String, String> env) {
        Map<String, Object> p = new HashMap<>();
        env.forEach((k, v) -> {
            p.put(k, v);
            p.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
        });
        return p;
    }

    /** Handles events until closed or the Runtime API goes away. */
    public void loop() {
        while (!closed.get()) {
            RuntimeApi.Invocation inv;
            try {
                inv = api.next();
            } catch (IOException e) {
                if (!closed.get()) {
                    LOG.error("runtime API /next failed; exiting so Lambda restarts the sandbox", e);
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            handle(inv);
        }
    }

    /** One invocation; never throws. */
    void handle(RuntimeApi.Invocation inv) {
        long fetched = System.nanoTime();
        FunctionUrlEvent event;
        try {
            event = FunctionUrlEvent.parse(inv.body());
        } catch (IOException | RuntimeException e) {
            reportError(inv, "Runtime.InvalidEvent", e);
            return;
        }
        byte[] request;
        try {
            request = capped(event);
        } catch (GatewayException e) {
            respondWithError(inv, event, e);
            return;
        }
        HttpResponse<InputStream> response;
        try {
            response = forward(event, request, limits.streamBudget(inv.deadlineMs(), System.currentTimeMillis()));
        } catch (java.net.http.HttpTimeoutException e) {
            respondWithError(inv, event, new GatewayException(ErrorKind.TIMEOUT, 504, "the gateway did not answer"
                    + " within the Lambda stream cap (LAMBDA_MAX_STREAM_S, or the function deadline minus 2 s)", null,
                    STREAM_CAP_CODE, Map.of()));
            return;
        } catch (IOException | RuntimeException e) {
            reportError(inv, "Runtime.GatewayUnavailable", e);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try (ResponseStream out = api.respond(inv.requestId()); InputStream body = response.body()) {
            stream(inv, event, response, body, out, fetched);
        } catch (IOException | RuntimeException e) {
            LOG.warn("invocation {}: the response to the runtime API failed: {}", inv.requestId(), e.toString());
        }
    }

    private void reportError(RuntimeApi.Invocation inv, String type, Exception e) {
        LOG.warn("invocation {}: {}: {}", inv.requestId(), type, e.toString());
        try {
            api.invocationError(inv.requestId(), type, e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (IOException ex) {
            LOG.warn("invocation {}: could not post the error: {}", inv.requestId(), ex.toString());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The body with the LAMBDA_MAX_TOKENS cap applied ({@link dev.sluice.ratelimit.TokenCap}, the buffered handlers'
     * rule); a body that is not a JSON object goes on unchanged, for the gateway to answer.
     *
     * @throws GatewayException a 400 when a token field is not a number of tokens
     */
    private byte[] capped(FunctionUrlEvent event) {
        JsonNode json = Json.tryParse(event.body());
        if (!(json instanceof ObjectNode o) || !limits.tokens().apply(event.method(), event.rawPath(), o)) {
            return event.body();
        }
        return Json.bytes(o);
    }

    /** An error of the runtime's own before any byte went out: a prelude with its status, and its JSON body. */
    private void respondWithError(RuntimeApi.Invocation inv, FunctionUrlEvent event, GatewayException e) {
        ClientDialect dialect = event.dialect();
        String requestId = event.headers().getOrDefault("x-request-id", inv.requestId());
        ObjectNode p = Json.NODES.objectNode();
        p.put("statusCode", dialect.status(e));
        ObjectNode headers = p.putObject("headers");
        headers.put("content-type", "application/json");
        headers.put("x-request-id", requestId);
        e.headers().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        p.putArray("cookies");
        try (ResponseStream out = api.respond(inv.requestId())) {
            out.write(Json.bytes(p));
            out.write(SEPARATOR);
            out.write(dialect.body(e, requestId));
            out.finish();
        } catch (IOException | RuntimeException ex) {
            LOG.warn("invocation {}: the response to the runtime API failed: {}", inv.requestId(), ex.toString());
        }
    }

    private HttpResponse<InputStream> forward(FunctionUrlEvent event, byte[] body, Duration budget)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.resolve(event.pathAndQuery()))
                .timeout(budget.isZero() ? Duration.ofMillis(1) : budget)
                .method(event.method(), body.length == 0 && !hasBody(event.method())
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        event.headers().forEach((k, v) -> {
            if (!DROP_REQUEST.contains(k)) {
                b.header(k, v);
            }
        });
        return local.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static boolean hasBody(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    private void stream(RuntimeApi.Invocation inv, FunctionUrlEvent event, HttpResponse<InputStream> response,
                        InputStream body, ResponseStream out, long fetched) throws IOException {
        out.write(prelude(response));
        boolean sse = response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream");
        Duration budget = limits.streamBudget(inv.deadlineMs(), System.currentTimeMillis());
        AtomicBoolean capped = new AtomicBoolean();
        ScheduledFuture<?> cap = timer.schedule(() -> {
            capped.set(true);
            try {
                body.close(); // cancels the local request, which cancels the upstream call
            } catch (IOException ignored) {
                // closing anyway
            }
        }, budget.toMillis(), TimeUnit.MILLISECONDS);
        byte[] buf = new byte[16 * 1024];
        SseCut pending = new SseCut(sse);
        boolean first = true;
        try {
            int n;
            while ((n = body.read(buf)) >= 0) {
                byte[] ready = pending.add(buf, n);
                if (ready.length > 0) {
                    out.write(ready);
                    if (first) {
                        first = false;
                        LOG.debug("invocation {}: first body chunk {} ms after the event", inv.requestId(),
                                (System.nanoTime() - fetched) / 1_000_000);
                    }
                }
            }
            cap.cancel(false);
            out.write(pending.rest());
            out.finish();
        } catch (IOException e) {
            cap.cancel(false);
            if (capped.get()) {
                // a handled end: the client reads an error event in its own dialect, then the stream ends
                String message = "the stream reached the Lambda stream cap of " + budget.toMillis()
                        + " ms (LAMBDA_MAX_STREAM_S, or the function deadline minus 2 s) and was ended";
                out.write(sse ? capEvent(event.dialect(), new GatewayException(ErrorKind.TIMEOUT, 504, message, null,
                        STREAM_CAP_CODE, Map.of())) : new byte[0]);
                if (sse) {
                    out.finish();
                } else {
                    out.fail("Sluice.StreamCap", message);
                }
            } else {
                out.fail("Sluice.StreamInterrupted", "the gateway's response broke off mid-stream: " + e);
            }
        }
    }

    /** {@code {"statusCode":..,"headers":{..},"cookies":[..]}} and the 8 NUL bytes that end it. */
    static byte[] prelude(HttpResponse<?> response) {
        ObjectNode p = Json.NODES.objectNode();
        p.put("statusCode", response.statusCode());
        ObjectNode h = p.putObject("headers");
        var cookies = p.putArray("cookies");
        response.headers().map().forEach((name, values) -> {
            String k = name.toLowerCase(Locale.ROOT);
            if (k.equals("set-cookie")) {
                values.forEach(cookies::add);
            } else if (!DROP_RESPONSE.contains(k)) {
                h.put(k, String.join(",", values));
            }
        });
        byte[] json = Json.bytes(p);
        byte[] all = new byte[json.length + SEPARATOR.length];
        System.arraycopy(json, 0, all, 0, json.length);
        return all;
    }

    /**
     * The error event that ends a stream cut by the cap, in the stream's dialect. It is the last thing the client
     * reads: an OpenAI stream gets no {@code [DONE]} after it, which would announce a normal end.
     */
    static byte[] capEvent(ClientDialect dialect, GatewayException e) {
        return switch (dialect) {
            case ANTHROPIC -> AnthropicErrors.streamEvent(e);
            case OPENAI -> OpenAiErrors.streamEvent(e);
            case RESPONSES -> responseFailed(e);
        };
    }

    /**
     * The Responses API's terminal {@code response.failed} (responses-api.md §4.4: clients such as Codex ignore a
     * bare {@code error} event). The runtime does not follow the stream's items, so the response carries only its
     * status and error.
     */
    private static byte[] responseFailed(GatewayException e) {
        ObjectNode event = Json.NODES.objectNode();
        event.put("type", "response.failed");
        ObjectNode response = event.putObject("response");
        response.put("object", "response");
        response.put("status", "failed");
        ObjectNode error = response.putObject("error");
        error.put("code", e.code() != null ? e.code() : "server_error");
        error.put("message", e.getMessage());
        return ("event: response.failed\ndata: " + Json.string(event) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        if (closed.compareAndSet(false, true)) {
            timer.shutdownNow();
            app.close();
        }
    }

}
