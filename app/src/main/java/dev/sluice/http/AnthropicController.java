package dev.sluice.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cache.ResponseCache;
import dev.sluice.config.GatewayConfig;
import dev.sluice.endpoint.AffinityKeys;
import dev.sluice.endpoint.ClientRequest;
import dev.sluice.endpoint.Exchange;
import dev.sluice.endpoint.MessagesRequests;
import dev.sluice.endpoint.RequestBodies;
import dev.sluice.endpoint.TokenCounter;
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
import io.micronaut.http.annotation.Post;
import io.micronaut.core.io.buffer.ByteBuffer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Map;
import reactor.core.publisher.Flux;
import java.util.concurrent.CompletableFuture;

/**
 * The Anthropic Messages API in front of an OpenAI-compatible backend, so the Anthropic SDKs and coding
 * agents such as Claude Code work against local models. {@code ?beta=true}, {@code anthropic-version} and
 * {@code anthropic-beta} are accepted; betas the backend cannot honour are ignored, not refused.
 */
@Controller
@Tag(name = "Anthropic API")
public final class AnthropicController {
    private final Exchange exchange;
    private final MessagesRequests requests;
    private final TokenCounter counter;
    private final ResponseCache cache;
    private final HttpLimits limitGate;
    private final boolean logPrompts;
    private final RequestBodies bodies;

    AnthropicController(Exchange exchange, GatewayConfig config, ResponseCache cache, HttpLimits limitGate,
            RequestBodies bodies) {
        this.exchange = exchange;
        this.requests = new MessagesRequests(exchange.router(), bodies);
        this.bodies = bodies;
        this.counter = new TokenCounter(exchange.dispatcher());
        this.cache = cache;
        this.limitGate = limitGate;
        this.logPrompts = config.logPrompts();
    }

    @Operation(summary = "Create a message (Anthropic Messages API)",
            description = "JSON or SSE (stream: true), translated to the backend's chat API; tool use and thinking"
                    + " included. Errors use the Anthropic envelope.")
    @Post(uri = "/v1/messages", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON,
            MediaType.TEXT_EVENT_STREAM})
    CompletableFuture<MutableHttpResponse<?>> messages(HttpRequest<?> request, @Body @Nullable @Schema(type = "string", format = "binary") ByteBuffer<?> buffer) {
        RequestRecord record = Attributes.record(request);
        ClientRequest.Messages parsed;
        Route route;
        byte[] body;
        try {
            body = BodyBytes.of(request, buffer, bodies);
            ObjectNode json = requests.parse(body);
            route = requests.route(json);
            AffinityKeys.header(route, request.getHeaders().get(AffinityKeys.SESSION_HEADER));
            parsed = requests.messages(json, route, betas(request));
        } catch (GatewayException e) {
            return Replies.fail(request, e);
        }
        record.model(parsed.clientModel());
        record.alias(route.pool().alias());
        if (logPrompts) {
            String p = Json.string(parsed.json().path("messages"));
            record.prompt(p.length() > 4096 ? p.substring(0, 4096) + "…" : p);
        }
        byte[] prewarm;
        try {
            prewarm = requests.cachePrewarm(parsed, route);
        } catch (GatewayException e) {
            route.finish();
            return Replies.fail(request, e);
        }
        if (prewarm != null) {
            route.finish();
            return CompletableFuture.completedFuture(parsed.stream()
                    ? SseResponses.of(Flux.fromIterable(MessagesRequests.cachePrewarmEvents(prewarm)))
                    : Replies.json(prewarm));
        }
        return limitGate.admit(request, record, route, parsed.json(), body == null ? 0 : body.length,
                () -> cache.serve(request, "anthropic", "/v1/messages", route.pool().alias(), parsed.stream(),
                        parsed.headers().get("anthropic-beta"), parsed.json(), Attributes.caller(request),
                        FollowerErrors.of(request), route::finish, record::clientGone,
                        () -> exchange.serve(parsed, route, record, NettyClientLink.of(request), Replies.loop(request))
                                .<MutableHttpResponse<?>>thenApply(Replies::of)
                                .exceptionally(e -> ErrorResponses.ofThrowable(request, e))));
    }

    @Operation(summary = "Count input tokens (Anthropic Messages API)",
            description = "Exact from the backend's tokenizer with its chat template where the runtime offers one"
                    + " (vLLM, TGI, llama.cpp, Docker Model Runner); otherwise an estimate. The x-sluice-token-count"
                    + " header says which.")
    @Post(uri = "/v1/messages/count_tokens", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> countTokens(HttpRequest<?> request, @Body @Nullable @Schema(type = "string", format = "binary") ByteBuffer<?> buffer) {
        RequestRecord record = Attributes.record(request);
        TokenCounter.Prepared prepared;
        try {
            ObjectNode json = requests.parse(BodyBytes.of(request, buffer, bodies));
            json.remove("stream");
            Route route = requests.route(json);
            route.finish();
            prepared = counter.prepare(requests.messages(json, route, betas(request)), route);
        } catch (GatewayException e) {
            return Replies.fail(request, e);
        }
        record.model(prepared.clientModel());
        return counter.count(prepared, Replies.loop(request), record)
                .<MutableHttpResponse<?>>thenApply(c -> Replies.json(Json.bytes(Json.object()
                        .put("input_tokens", c.inputTokens()))).header("x-sluice-token-count", c.method()))
                .exceptionally(e -> ErrorResponses.ofThrowable(request, e));
    }

    private static Map<String, String> betas(HttpRequest<?> request) {
        return request.getHeaders().contains("anthropic-beta")
                ? Map.of("anthropic-beta", String.join(",", request.getHeaders().getAll("anthropic-beta")))
                : Map.of();
    }
}
