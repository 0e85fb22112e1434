package dev.sluice.http;

import dev.sluice.backend.WireDialect;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.UpstreamCall;
import dev.sluice.cache.ResponseCache;
import dev.sluice.config.GatewayConfig;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.GatewayMetrics;
import dev.sluice.observability.RequestRecord;
import dev.sluice.protocol.Json;
import dev.sluice.routing.Attempt;
import dev.sluice.routing.Dispatcher;
import dev.sluice.routing.Route;
import dev.sluice.routing.Router;
import dev.sluice.routing.Upstream;
import dev.sluice.routing.TokenCounter;
import dev.sluice.backend.Provider;
import dev.sluice.translate.AnthropicIds;
import dev.sluice.translate.AnthropicPassthrough;
import dev.sluice.translate.AnthropicPassthroughStream;
import dev.sluice.translate.AnthropicRequest;
import dev.sluice.translate.AnthropicToOpenAiRequest;
import dev.sluice.translate.OpenAiPassthroughRequest;
import dev.sluice.translate.OpenAiToAnthropicResponse;
import dev.sluice.translate.OpenAiToAnthropicStream;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The Anthropic Messages API in front of an OpenAI-compatible backend, so the Anthropic SDKs and coding
 * agents such as Claude Code work against local models. {@code ?beta=true}, {@code anthropic-version} and
 * {@code anthropic-beta} are accepted; betas the backend cannot honour are ignored, not refused.
 */
@Controller
@Tag(name = "Anthropic API")
public final class AnthropicController {
    private final Dispatcher dispatcher;
    private final TokenCounter counter;
    private final Router router;
    private final GatewayMetrics metrics;
    private final ResponseCache cache;
    private final LimitGate limitGate;
    private final String secret;
    private final boolean logPrompts;

    AnthropicController(Dispatcher dispatcher, GatewayConfig config, GatewayMetrics metrics, ResponseCache cache,
            LimitGate limitGate) {
        this.limitGate = limitGate;
        this.dispatcher = dispatcher;
        this.cache = cache;
        this.counter = new TokenCounter(dispatcher);
        this.router = dispatcher.router();
        this.metrics = metrics;
        this.secret = config.backendApiKey();
        this.logPrompts = config.logPrompts();
    }

    @Operation(summary = "Create a message (Anthropic Messages API)",
            description = "JSON or SSE (stream: true), translated to the backend's chat API; tool use and thinking"
                    + " included. Errors use the Anthropic envelope.")
    @Post(uri = "/v1/messages", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON,
            MediaType.TEXT_EVENT_STREAM})
    CompletableFuture<MutableHttpResponse<?>> messages(HttpRequest<?> request, @Body @Nullable byte[] body) {
        RequestRecord record = Attributes.record(request);
        ObjectNode json;
        Route route;
        AnthropicRequest checked;
        try {
            json = OpenAiPassthroughRequest.parse(body);
            route = ModelRouting.route(router, modelOf(json), true);
            // translated once up front so bad input is a 400 before any backend is tried; a pool of real
            // Anthropic deployments only gets the request as it is, and the API validates it itself
            boolean passthrough = route.pool().upstreams().stream()
                    .allMatch(u -> u.backend().dialect() == WireDialect.ANTHROPIC);
            checked = passthrough ? null : translate(json, route.pool().upstreams().get(0), route.clientModel());
        } catch (GatewayException e) {
            return fail(request, e);
        }
        String clientModel = checked != null ? checked.clientModel()
                : ModelRouting.effectiveModel(router, route.clientModel());
        boolean stream = checked != null ? checked.stream() : json.path("stream").asBoolean(false);
        record.model(clientModel);
        record.alias(route.pool().alias());
        if (logPrompts) {
            String p = Json.string(json.path("messages"));
            record.prompt(p.length() > 4096 ? p.substring(0, 4096) + "…" : p);
        }
        if (checked != null && checked.maxTokens() == 0) {
            // max_tokens 0 is a cache pre-warm: there is nothing to generate and no local cache to warm
            route.finish();
            return CompletableFuture.completedFuture(json(Json.bytes(emptyMessage(checked))));
        }
        return limitGate.admit(request, record, route, json, body == null ? 0 : body.length,
                () -> dispatch(request, json, route, record, clientModel, stream));
    }

    private CompletableFuture<MutableHttpResponse<?>> dispatch(HttpRequest<?> request, ObjectNode json, Route route,
            RequestRecord record, String clientModel, boolean stream) {
        var loop = NettyClientLink.loop(request) != null ? NettyClientLink.loop(request) : SharedLoop.get();
        Map<String, String> betas = request.getHeaders().contains("anthropic-beta")
                ? Map.of("anthropic-beta", String.join(",", request.getHeaders().getAll("anthropic-beta")))
                : Map.of();
        Attempt.Factory attempts = u -> {
            if (u.backend().dialect() == WireDialect.ANTHROPIC) {
                // the real Anthropic API: the client's request as it is, only the model replaced
                ObjectNode copy = json.deepCopy();
                RequestDefaults.apply(copy, u.requestDefaults());
                AnthropicPassthrough.Prepared p = AnthropicPassthrough.prepare(copy, u.modelFor(clientModel),
                        clientModel);
                return new Attempt(u, new UpstreamCall("POST", "/messages", p.body(), p.stream(), loop, false, betas),
                        p);
            }
            AnthropicRequest t = translate(json, u, route.clientModel());
            RequestDefaults.apply(t.openAi(), u.requestDefaults());
            return new Attempt(u, new UpstreamCall("POST", "/chat/completions", Json.bytes(t.openAi()), t.stream(),
                    loop), t);
        };
        String beta = betas.get("anthropic-beta");
        return cache.serve(request, "anthropic", "/v1/messages", route.pool().alias(), stream, beta, json,
                route::finish, () -> "client_closed".equals(record.outcome()),
                () -> send(request, route, attempts, record, stream));
    }

    private CompletableFuture<MutableHttpResponse<?>> send(HttpRequest<?> request, Route route,
            Attempt.Factory attempts, RequestRecord record, boolean stream) {
        if (!stream) {
            return dispatcher.unary(route, attempts, record, NettyClientLink.of(request))
                    .<MutableHttpResponse<?>>thenApply(r -> {
                        if (r.attempt().context() instanceof AnthropicPassthrough.Prepared ap) {
                            byte[] out = AnthropicPassthrough.response(r.body(), ap);
                            var parsed = Json.tryParse(out);
                            var u = parsed == null ? null : parsed.path("usage");
                            if (u != null && u.isObject()) {
                                record.tokens(u.path("input_tokens").asLong()
                                        + u.path("cache_read_input_tokens").asLong()
                                        + u.path("cache_creation_input_tokens").asLong(),
                                        u.path("output_tokens").asLong(), false);
                            }
                            return json(out);
                        }
                        AnthropicRequest t = (AnthropicRequest) r.attempt().context();
                        ObjectNode message = OpenAiToAnthropicResponse.translate(r.body(), t);
                        var usage = message.path("usage");
                        record.tokens(usage.path("input_tokens").asLong()
                                + usage.path("cache_read_input_tokens").asLong()
                                + usage.path("cache_creation_input_tokens").asLong(),
                                usage.path("output_tokens").asLong(), false);
                        return json(Json.bytes(message));
                    }).exceptionally(e -> error(request, e));
        }
        String messageId = AnthropicIds.messageId();
        return dispatcher.stream(route, attempts,
                a -> a.context() instanceof AnthropicPassthrough.Prepared ap
                        ? new AnthropicPassthroughStream(ap.clientModel())
                        : new OpenAiToAnthropicStream(messageId, (AnthropicRequest) a.context(),
                                a.upstream().secret() != null ? a.upstream().secret() : secret),
                record, NettyClientLink.of(request))
                .<MutableHttpResponse<?>>thenApply(relay -> {
                    record.streaming(true);
                    metrics.streamOpened();
                    return SseResponses.of(relay);
                }).exceptionally(e -> error(request, e));
    }

    @Operation(summary = "Count input tokens (Anthropic Messages API)",
            description = "Exact from the backend's tokenizer with its chat template where the runtime offers one"
                    + " (vLLM, TGI, llama.cpp, Docker Model Runner); otherwise an estimate. The x-sluice-token-count"
                    + " header says which.")
    @Post(uri = "/v1/messages/count_tokens", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> countTokens(HttpRequest<?> request, @Body @Nullable byte[] body) {
        RequestRecord record = Attributes.record(request);
        ObjectNode json;
        AnthropicRequest translated;
        Upstream upstream;
        try {
            json = OpenAiPassthroughRequest.parse(body);
            json.remove("stream");
            Route route = ModelRouting.route(router, modelOf(json), true);
            route.finish();
            upstream = route.pool().pick(java.util.Set.of(), System.nanoTime());
            translated = translate(json, upstream, route.clientModel());
        } catch (GatewayException e) {
            return fail(request, e);
        }
        record.model(translated.clientModel());
        var loop = NettyClientLink.loop(request);
        return counter.count(json, translated, upstream, loop != null ? loop : SharedLoop.get(), record)
                .<MutableHttpResponse<?>>thenApply(c -> json(Json.bytes(Json.object()
                        .put("input_tokens", c.inputTokens()))).header("x-sluice-token-count", c.method()))
                .exceptionally(e -> error(request, e));
    }

    private static String modelOf(ObjectNode json) {
        var m = json.get("model");
        if (m != null && !m.isTextual()) {
            throw GatewayException.invalid("model: Input should be a valid string", "model");
        }
        return m == null ? null : m.asText();
    }

    private AnthropicRequest translate(ObjectNode json, Upstream u, String clientModel) {
        String model = ModelRouting.effectiveModel(router, clientModel);
        return AnthropicToOpenAiRequest.translate(json, u.profile(), u.modelFor(model), model);
    }

    private static ObjectNode emptyMessage(AnthropicRequest r) {
        ObjectNode m = Json.object();
        m.put("id", AnthropicIds.messageId());
        m.put("type", "message");
        m.put("role", "assistant");
        m.put("model", r.clientModel());
        m.putArray("content");
        m.put("stop_reason", "max_tokens");
        m.putNull("stop_sequence");
        m.putObject("usage").put("input_tokens", r.estimatedInputTokens()).put("output_tokens", 0)
                .put("cache_creation_input_tokens", 0).put("cache_read_input_tokens", 0);
        return m;
    }

    private static MutableHttpResponse<?> json(byte[] body) {
        return HttpResponse.ok(body).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    private static CompletableFuture<MutableHttpResponse<?>> fail(HttpRequest<?> request, GatewayException e) {
        return CompletableFuture.completedFuture(ErrorResponses.of(request, e));
    }

    private static MutableHttpResponse<?> error(HttpRequest<?> request, Throwable t) {
        return ErrorResponses.ofThrowable(request, t);
    }
}
