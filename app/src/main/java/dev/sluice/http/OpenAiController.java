package dev.sluice.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cache.ResponseCache;
import dev.sluice.config.GatewayConfig;
import dev.sluice.endpoint.AffinityKeys;
import dev.sluice.endpoint.ClientRequest;
import dev.sluice.endpoint.Exchange;
import dev.sluice.endpoint.ModelList;
import dev.sluice.endpoint.OpenAiRequests;
import dev.sluice.endpoint.RequestBodies;
import dev.sluice.endpoint.OpenAiRequests.Api;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.RequestRecord;
import dev.sluice.protocol.Json;
import dev.sluice.routing.Route;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.core.io.buffer.ByteBuffer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.concurrent.CompletableFuture;

/** The OpenAI API: chat, completions, embeddings and models, in front of whatever backend is configured. */
@Controller
@Tag(name = "OpenAI API")
public final class OpenAiController {
    private final Exchange exchange;
    private final OpenAiRequests requests;
    private final ModelList models;
    private final ResponseCache cache;
    private final HttpLimits limitGate;
    private final boolean logPrompts;
    private final RequestBodies bodies;

    OpenAiController(Exchange exchange, ModelList models, GatewayConfig config, ResponseCache cache,
            HttpLimits limitGate, RequestBodies bodies) {
        this.exchange = exchange;
        this.requests = new OpenAiRequests(exchange.router(), bodies);
        this.bodies = bodies;
        this.models = models;
        this.cache = cache;
        this.limitGate = limitGate;
        this.logPrompts = config.logPrompts();
    }

    @Operation(summary = "Create a chat completion",
            description = "OpenAI chat completions, JSON or SSE (stream: true). Unknown fields pass through.")
    @Post(uri = "/v1/chat/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON,
            MediaType.TEXT_EVENT_STREAM})
    CompletableFuture<MutableHttpResponse<?>> chat(HttpRequest<?> request, @Body @Nullable @Schema(type = "string", format = "binary") ByteBuffer<?> body) {
        return generate(request, body, Api.CHAT);
    }

    @Operation(summary = "Create a text completion", description = "Legacy OpenAI completions, JSON or SSE.")
    @Post(uri = "/v1/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON,
            MediaType.TEXT_EVENT_STREAM})
    CompletableFuture<MutableHttpResponse<?>> completions(HttpRequest<?> request, @Body @Nullable @Schema(type = "string", format = "binary") ByteBuffer<?> body) {
        return generate(request, body, Api.COMPLETIONS);
    }

    @Operation(summary = "Create embeddings",
            description = "OpenAI embeddings; base64 is produced by the gateway when the backend only returns floats.")
    @Post(uri = "/v1/embeddings", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> embeddings(HttpRequest<?> request, @Body @Nullable @Schema(type = "string", format = "binary") ByteBuffer<?> body) {
        return generate(request, body, Api.EMBEDDINGS);
    }

    @Operation(summary = "List models",
            description = "OpenAI list shape; Anthropic page shape when the request carries anthropic-version.")
    @Get(uri = "/v1/models", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> models(HttpRequest<?> request) {
        return models.list(anthropic(request), Attributes.record(request), NettyClientLink.of(request),
                Replies.loop(request)).<MutableHttpResponse<?>>thenApply(Replies::json)
                .exceptionally(e -> ErrorResponses.ofThrowable(request, e));
    }

    @Operation(summary = "Retrieve a model")
    @Get(uri = "/v1/models/{id}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> model(HttpRequest<?> request, @PathVariable String id) {
        return models.model(id, anthropic(request), Attributes.record(request), NettyClientLink.of(request),
                Replies.loop(request)).<MutableHttpResponse<?>>thenApply(Replies::json)
                .exceptionally(e -> ErrorResponses.ofThrowable(request, e));
    }

    /** Parse, route, limit, serve. */
    private CompletableFuture<MutableHttpResponse<?>> generate(HttpRequest<?> request, ByteBuffer<?> buffer, Api op) {
        RequestRecord record = Attributes.record(request);
        OpenAiRequests.Routed routed;
        byte[] body;
        try {
            body = BodyBytes.of(request, buffer, bodies);
            routed = requests.parse(op, body);
        } catch (GatewayException e) {
            return Replies.fail(request, e);
        }
        ClientRequest.OpenAi parsed = routed.request();
        Route route = routed.route();
        AffinityKeys.header(route, request.getHeaders().get(AffinityKeys.SESSION_HEADER));
        record.model(parsed.clientModel());
        record.alias(route.pool().alias());
        if (logPrompts) {
            record.prompt(promptOf(parsed.json(), op));
        }
        return limitGate.admit(request, record, route, parsed.json(), body == null ? 0 : body.length,
                () -> cache.serve(request, "openai", op.path(), route.pool().alias(), parsed.stream(), null,
                        parsed.json(), Attributes.caller(request), FollowerErrors.of(request), route::finish,
                        record::clientGone, () -> exchange.serve(parsed, route, record,
                                NettyClientLink.of(request), Replies.loop(request))
                                .<MutableHttpResponse<?>>thenApply(Replies::of)
                                .exceptionally(e -> ErrorResponses.ofThrowable(request, e))));
    }

    /** Opt-in only (LOG_PROMPTS=true): what the caller asked, capped so one request cannot flood the log. */
    private static String promptOf(JsonNode json, Api op) {
        JsonNode p = json.get(op.promptField());
        String text = p == null ? "" : p.isTextual() ? p.asText() : Json.string(p);
        return text.length() > 4096 ? text.substring(0, 4096) + "…" : text;
    }

    private static boolean anthropic(HttpRequest<?> request) {
        return request.getHeaders().contains("anthropic-version");
    }
}
