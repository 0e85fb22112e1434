package dev.sluice.http;

import dev.sluice.backend.WireDialect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.UpstreamCall;
import dev.sluice.cache.ResponseCache;
import dev.sluice.config.GatewayConfig;
import dev.sluice.config.ModelNames;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.GatewayMetrics;
import dev.sluice.observability.RequestRecord;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.anthropic.AnthropicModels;
import dev.sluice.routing.Attempt;
import dev.sluice.routing.Dispatcher;
import dev.sluice.routing.Pool;
import dev.sluice.routing.Route;
import dev.sluice.routing.Router;
import dev.sluice.routing.Upstream;
import dev.sluice.routing.StreamRelay;
import dev.sluice.backend.Provider;
import dev.sluice.translate.AnthropicToOpenAiResponse;
import dev.sluice.translate.AnthropicToOpenAiStream;
import dev.sluice.translate.OpenAiPassthroughRequest;
import dev.sluice.translate.OpenAiToAnthropicRequest;
import dev.sluice.translate.OpenAiPassthroughRequest.Endpoint;
import dev.sluice.translate.OpenAiPassthroughResponse;
import dev.sluice.translate.OpenAiPassthroughStream;
import dev.sluice.translate.PreparedRequest;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.concurrent.CompletableFuture;

/** The OpenAI API: chat, completions, embeddings and models, in front of whatever backend is configured. */
@Controller
@Tag(name = "OpenAI API")
public final class OpenAiController {
    private final Dispatcher dispatcher;
    private final Router router;
    private final GatewayMetrics metrics;
    private final ResponseCache cache;
    private final LimitGate limitGate;
    private final String configuredModel;
    private final String secret;
    private final boolean logPrompts;
    private final long startedAt = System.currentTimeMillis() / 1000;

    OpenAiController(Dispatcher dispatcher, GatewayConfig config, GatewayMetrics metrics, ResponseCache cache,
            LimitGate limitGate) {
        this.limitGate = limitGate;
        this.dispatcher = dispatcher;
        this.cache = cache;
        this.router = dispatcher.router();
        this.metrics = metrics;
        this.configuredModel = config.hasModelName() ? config.modelName() : null;
        this.secret = config.backendApiKey();
        this.logPrompts = config.logPrompts();
    }

    @Operation(summary = "Create a chat completion",
            description = "OpenAI chat completions, JSON or SSE (stream: true). Unknown fields pass through.")
    @Post(uri = "/v1/chat/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON,
            MediaType.TEXT_EVENT_STREAM})
    CompletableFuture<MutableHttpResponse<?>> chat(HttpRequest<?> request, @Body @Nullable byte[] body) {
        return generate(request, body, Endpoint.CHAT, "/chat/completions");
    }

    @Operation(summary = "Create a text completion", description = "Legacy OpenAI completions, JSON or SSE.")
    @Post(uri = "/v1/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON,
            MediaType.TEXT_EVENT_STREAM})
    CompletableFuture<MutableHttpResponse<?>> completions(HttpRequest<?> request, @Body @Nullable byte[] body) {
        return generate(request, body, Endpoint.COMPLETIONS, "/completions");
    }

    @Operation(summary = "Create embeddings",
            description = "OpenAI embeddings; base64 is produced by the gateway when the backend only returns floats.")
    @Post(uri = "/v1/embeddings", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> embeddings(HttpRequest<?> request, @Body @Nullable byte[] body) {
        return generate(request, body, Endpoint.EMBEDDINGS, "/embeddings");
    }

    @Operation(summary = "List models",
            description = "OpenAI list shape; Anthropic page shape when the request carries anthropic-version.")
    @Get(uri = "/v1/models", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> models(HttpRequest<?> request) {
        boolean anthropic = request.getHeaders().contains("anthropic-version");
        CompletableFuture<JsonNode> list;
        if (!router.namedPools().isEmpty()) {
            ObjectNode l = Json.object();
            l.put("object", "list");
            var data = l.putArray("data");
            for (Pool p : router.namedPools()) {
                data.add(modelObject(p.alias()));
            }
            list = CompletableFuture.completedFuture(l);
        } else {
            list = upstreamModels(request, Attributes.record(request)).thenApply(b -> {
                JsonNode n = Json.tryParse(b);
                if (n == null || !n.path("data").isArray()) {
                    throw GatewayException.of(ErrorKind.BAD_GATEWAY, "the backend's model list is not an OpenAI list");
                }
                return n;
            });
        }
        return list.<MutableHttpResponse<?>>thenApply(l -> json(Json.bytes(anthropic ? AnthropicModels.page(l) : l)))
                .exceptionally(e -> error(request, e));
    }

    @Operation(summary = "Retrieve a model")
    @Get(uri = "/v1/models/{id}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> model(HttpRequest<?> request, @PathVariable String id) {
        boolean anthropic = request.getHeaders().contains("anthropic-version");
        if (!router.namedPools().isEmpty()) {
            if (router.namedPools().stream().anyMatch(p -> p.alias().equals(id))) {
                return CompletableFuture.completedFuture(json(Json.bytes(anthropic
                        ? AnthropicModels.model(id, startedAt) : modelObject(id))));
            }
            return fail(request, modelNotFound(id));
        }
        return upstreamModels(request, Attributes.record(request)).<MutableHttpResponse<?>>thenApply(bytes -> {
            JsonNode list = Json.tryParse(bytes);
            if (list != null) {
                for (JsonNode m : list.path("data")) {
                    if (id.equals(m.path("id").asText())) {
                        return json(Json.bytes(anthropic ? AnthropicModels.model(id, m.path("created").asLong(0)) : m));
                    }
                }
            }
            throw modelNotFound(id);
        }).exceptionally(e -> error(request, e));
    }

    private CompletableFuture<byte[]> upstreamModels(HttpRequest<?> request, RequestRecord record) {
        UpstreamCall call = new UpstreamCall("GET", "/models", null, false, NettyClientLink.loop(request));
        Upstream first = router.pools().get(0).upstreams().get(0);
        return dispatcher.unaryTo(first, withLoop(call), record, NettyClientLink.of(request)).thenApply(r -> r.body());
    }

    private ObjectNode modelObject(String id) {
        ObjectNode m = Json.object();
        m.put("id", id);
        m.put("object", "model");
        m.put("created", startedAt);
        Pool pool = router.pool(id);
        m.put("owned_by", pool == null ? "sluice" : pool.upstreams().get(0).profile().kind().id());
        return m;
    }

    private CompletableFuture<MutableHttpResponse<?>> generate(HttpRequest<?> request, byte[] body, Endpoint endpoint,
            String path) {
        RequestRecord record = Attributes.record(request);
        ObjectNode json;
        Route route;
        try {
            json = OpenAiPassthroughRequest.parse(body);
            JsonNode modelNode = json.get("model");
            if (modelNode != null && !modelNode.isTextual()) {
                throw GatewayException.invalid("'model' must be a string", "model");
            }
            route = ModelRouting.route(router, modelNode == null ? null : modelNode.asText(), false);
        } catch (GatewayException e) {
            return fail(request, e);
        }
        String clientModel = ModelRouting.effectiveModel(router, Json.text(json, "model"));
        record.model(clientModel);
        record.alias(route.pool().alias());
        if (logPrompts) {
            record.prompt(promptOf(body, endpoint));
        }
        return limitGate.admit(request, record, route, json, body == null ? 0 : body.length,
                () -> dispatch(request, body, endpoint, path, json, route, record, clientModel));
    }

    private CompletableFuture<MutableHttpResponse<?>> dispatch(HttpRequest<?> request, byte[] body, Endpoint endpoint,
            String path, ObjectNode json, Route route, RequestRecord record, String clientModel) {
        var loop = NettyClientLink.loop(request) != null ? NettyClientLink.loop(request) : SharedLoop.get();
        Attempt.Factory attempts = u -> {
            if (u.backend().dialect() == WireDialect.ANTHROPIC) {
                return anthropicAttempt(u, endpoint, json, clientModel, loop);
            }
            if (endpoint == Endpoint.EMBEDDINGS && !u.profile().embeddings()) {
                throw notSupported(u, "/v1/embeddings");
            }
            if (endpoint == Endpoint.COMPLETIONS && !u.profile().completions()) {
                throw notSupported(u, "/v1/completions");
            }
            ObjectNode copy = json.deepCopy();
            byte[] raw = RequestDefaults.apply(copy, u.requestDefaults()) ? Json.bytes(copy) : body;
            PreparedRequest p = OpenAiPassthroughRequest.prepare(endpoint, raw, copy, u.profile(),
                    ModelNames.forUpstream(u.modelFor(clientModel)));
            return new Attempt(u, new UpstreamCall("POST", path, p.body(), p.stream(), loop), p);
        };
        boolean stream = endpoint != Endpoint.EMBEDDINGS && json.path("stream").asBoolean(false);
        return cache.serve(request, "openai", path, route.pool().alias(), stream, null, json, route::finish,
                () -> "client_closed".equals(record.outcome()), () -> send(request, route, attempts, record, stream));
    }

    private CompletableFuture<MutableHttpResponse<?>> send(HttpRequest<?> request, Route route,
            Attempt.Factory attempts, RequestRecord record, boolean stream) {
        if (!stream) {
            return dispatcher.unary(route, attempts, record, NettyClientLink.of(request))
                    .<MutableHttpResponse<?>>thenApply(r -> {
                        if (r.attempt().context() instanceof OpenAiToAnthropicRequest.Prepared ap) {
                            ObjectNode completion = AnthropicToOpenAiResponse.translate(r.body(), ap);
                            JsonNode usage = completion.path("usage");
                            record.tokens(usage.path("prompt_tokens").asLong(),
                                    usage.path("completion_tokens").asLong(), false);
                            return json(Json.bytes(completion));
                        }
                        PreparedRequest prepared = (PreparedRequest) r.attempt().context();
                        OpenAiPassthroughResponse.Shaped shaped = OpenAiPassthroughResponse.shape(r.body(), prepared);
                        if (shaped.promptTokens() >= 0) {
                            record.tokens(shaped.promptTokens(), shaped.completionTokens(), false);
                        }
                        return json(shaped.body());
                    }).exceptionally(e -> error(request, e));
        }
        return dispatcher.stream(route, attempts, a -> {
            if (a.context() instanceof OpenAiToAnthropicRequest.Prepared ap) {
                return new AnthropicToOpenAiStream(ap, a.upstream().secret() != null ? a.upstream().secret() : secret);
            }
            PreparedRequest p = (PreparedRequest) a.context();
            return new OpenAiPassthroughStream(p.clientWantsUsage(), p.rewriteModelTo(),
                    a.upstream().secret() != null ? a.upstream().secret() : secret);
        }, record, NettyClientLink.of(request))
                .<MutableHttpResponse<?>>thenApply(relay -> stream(record, relay))
                .exceptionally(e -> error(request, e));
    }

    /** A deployment on the real Anthropic API: chat only, translated to Messages (protocols.md §3.3). */
    private static Attempt anthropicAttempt(Upstream u, Endpoint endpoint, ObjectNode json, String clientModel,
            io.netty.channel.EventLoop loop) {
        if (endpoint != Endpoint.CHAT) {
            throw GatewayException.of(ErrorKind.NOT_SUPPORTED, (endpoint == Endpoint.EMBEDDINGS ? "/v1/embeddings"
                    : "/v1/completions") + " is not supported by the anthropic provider; only /v1/chat/completions is");
        }
        ObjectNode copy = json.deepCopy();
        RequestDefaults.apply(copy, u.requestDefaults());
        OpenAiToAnthropicRequest.Prepared p = OpenAiToAnthropicRequest.translate(copy, u.modelFor(clientModel),
                clientModel);
        return new Attempt(u, new UpstreamCall("POST", "/messages", p.bytes(), p.stream(), loop), p);
    }

    /** Opt-in only (LOG_PROMPTS=true): what the caller asked, capped so one request cannot flood the log. */
    private static String promptOf(byte[] body, Endpoint endpoint) {
        JsonNode node = Json.tryParse(body);
        JsonNode p = node == null ? null : node.get(switch (endpoint) {
            case CHAT -> "messages";
            case COMPLETIONS -> "prompt";
            case EMBEDDINGS -> "input";
        });
        String text = p == null ? "" : p.isTextual() ? p.asText() : Json.string(p);
        return text.length() > 4096 ? text.substring(0, 4096) + "…" : text;
    }

    private MutableHttpResponse<?> stream(RequestRecord record, StreamRelay relay) {
        record.streaming(true);
        metrics.streamOpened();
        return SseResponses.of(relay);
    }

    private UpstreamCall withLoop(UpstreamCall call) {
        return call.loop() != null ? call : new UpstreamCall(call.method(), call.path(), call.body(), call.stream(),
                SharedLoop.get());
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

    private static GatewayException notSupported(Upstream u, String endpoint) {
        return GatewayException.of(ErrorKind.NOT_SUPPORTED, endpoint + " is not supported by the "
                + u.profile().kind().id() + " backend" + (endpoint.equals("/v1/embeddings")
                ? "; serve embeddings from a runtime that has them (e.g. TEI, vllm or ollama with an embedding model)"
                : ""));
    }

    private GatewayException modelNotFound(String id) {
        return new GatewayException(ErrorKind.NOT_FOUND, 404, "The model '" + id + "' does not exist on this gateway"
                + (configuredModel == null ? "" : "; it serves '" + configuredModel + "'"), "model",
                "model_not_found", java.util.Map.of());
    }
}
