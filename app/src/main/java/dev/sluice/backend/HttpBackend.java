package dev.sluice.backend;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpMethod;
import java.net.URI;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An OpenAI-compatible runtime reached over HTTP. */
public final class HttpBackend implements Backend {
    private static final long PROBE_TIMEOUT_MS = 2000;
    /** A vLLM /metrics is about 30 KB; anything far larger is not a metrics page. */
    private static final int MAX_SCRAPE_BYTES = 1 << 20;

    private final BackendProfile profile;
    private final HttpUpstreamClient client;
    private final String basePath;
    private final String apiKey;
    private final String keyHeader;
    private final UnaryOperator<String> pathFor;
    private final Map<String, String> extraHeaders;
    private final dev.sluice.backend.WireDialect dialect;

    /**
     * @param keyHeader {@code authorization} (sent as {@code Bearer <key>}) or another header carrying the bare
     *     key (Azure's {@code api-key})
     * @param pathFor maps an OpenAI operation path ({@code /chat/completions}) to this provider's path below the
     *     base URL (Azure puts the deployment and api-version into it)
     */
    public HttpBackend(URI base, String apiKey, String keyHeader, Duration connectTimeout, BackendProfile profile,
            UnaryOperator<String> pathFor) {
        this(base, apiKey, keyHeader, connectTimeout, profile, pathFor, Map.of(),
                dev.sluice.backend.WireDialect.OPENAI);
    }

    /**
     * @param extraHeaders sent on every request and probe (Anthropic's {@code anthropic-version})
     * @param dialect the request dialect this backend speaks
     */
    public HttpBackend(URI base, String apiKey, String keyHeader, Duration connectTimeout, BackendProfile profile,
            UnaryOperator<String> pathFor, Map<String, String> extraHeaders, dev.sluice.backend.WireDialect dialect) {
        this.extraHeaders = Map.copyOf(extraHeaders);
        this.dialect = dialect;
        this.profile = profile;
        this.client = new HttpUpstreamClient(base, connectTimeout);
        this.basePath = base.getRawPath() == null ? "" : base.getRawPath();
        this.apiKey = apiKey;
        this.keyHeader = keyHeader.toLowerCase(java.util.Locale.ROOT);
        this.pathFor = pathFor;
    }

    private void auth(Map<String, String> headers) {
        headers.putAll(extraHeaders);
        if (apiKey != null && !apiKey.isEmpty()) {
            headers.put(keyHeader, keyHeader.equals("authorization") ? "Bearer " + apiKey : apiKey);
        }
    }

    @Override
    public dev.sluice.backend.WireDialect dialect() {
        return dialect;
    }

    @Override
    public BackendProfile profile() {
        return profile;
    }

    @Override
    public CompletableFuture<UpstreamExchange> send(UpstreamCall call) {
        Map<String, String> headers = new HashMap<>(call.headers());
        auth(headers);
        headers.put("accept", call.stream() ? "text/event-stream" : "application/json");
        var loop = call.loop() != null ? call.loop() : client.anyLoop();
        String path = call.rootRelative() ? call.path() : basePath + pathFor.apply(call.path());
        return client.send(HttpMethod.valueOf(call.method()), path, call.body(), headers, loop);
    }

    @Override
    public CompletableFuture<Boolean> probe() {
        String path = profile.healthUnderBase() ? basePath + profile.healthPath() : profile.healthPath();
        Map<String, String> headers = new HashMap<>(2);
        auth(headers);
        var loop = client.anyLoop();
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        var timer = loop.schedule(() -> result.complete(false), PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        client.send(HttpMethod.GET, path, null, headers, loop).whenComplete((ex, err) -> {
            if (err != null) {
                result.complete(false);
                return;
            }
            if (result.isDone()) {
                ex.abort();
                return;
            }
            // drain the (small) body so the connection goes back to the pool
            ex.setSink(BodySink.discarding(ex, ended -> result.complete(ended && ex.isSuccess())));
            ex.read();
        });
        result.whenComplete((ok, e) -> timer.cancel(false));
        return result;
    }

    @Override
    public CompletableFuture<String> scrape(String path) {
        Map<String, String> headers = new HashMap<>(2);
        auth(headers);
        var loop = client.anyLoop();
        CompletableFuture<String> result = new CompletableFuture<>();
        var timer = loop.schedule(() -> result.complete(null), PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        client.send(HttpMethod.GET, path, null, headers, loop).whenComplete((ex, err) -> {
            if (err != null) {
                result.complete(null);
                return;
            }
            if (result.isDone()) {
                ex.abort();
                return;
            }
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            ex.setSink(new BodySink() {
                @Override
                public void onData(ByteBuf data) {
                    if (body.size() + data.readableBytes() > MAX_SCRAPE_BYTES) {
                        data.release();
                        ex.abort();
                        result.complete(null);
                        return;
                    }
                    byte[] chunk = new byte[data.readableBytes()];
                    data.readBytes(chunk);
                    data.release();
                    body.write(chunk, 0, chunk.length);
                    ex.read();
                }

                @Override
                public void onEnd() {
                    result.complete(ex.isSuccess() ? body.toString(java.nio.charset.StandardCharsets.UTF_8) : null);
                }

                @Override
                public void onError(Throwable cause) {
                    result.complete(null);
                }
            });
            ex.read();
        });
        result.whenComplete((ok, e) -> timer.cancel(false));
        return result;
    }

    @Override
    public String location() {
        return client.base().toString();
    }

    @Override
    public void close() {
        client.close();
    }
}
