package dev.sluice.http;

import dev.sluice.cache.ResponseCache;
import dev.sluice.cache.ResponsesStore;
import dev.sluice.config.GatewayConfig;
import dev.sluice.endpoint.AffinityKeys;
import dev.sluice.endpoint.ClientRequest;
import dev.sluice.endpoint.Exchange;
import dev.sluice.endpoint.RequestBodies;
import dev.sluice.endpoint.ResponsesRequests;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.RequestRecord;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.responses.ResponsesErrors;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.io.buffer.ByteBuffer;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The OpenAI Responses API (Codex CLI, the Agents SDKs, {@code responses.create}) in front of any runtime:
 * bridged to the runtime's chat API, or passed through where the deployment serves Responses itself.
 * Responses are stored per API key ({@code store}, default true) for {@code previous_response_id}.
 */
@Controller
@Tag(name = "OpenAI Responses API")
public final class ResponsesController {
    /** Names the hosted tools (web_search…) that were left out because no local model can run them. */
    static final String DROPPED_TOOLS = "x-sluice-dropped-tools";

    private final Exchange exchange;
    private final ResponsesRequests requests;
    private final RequestBodies bodies;
    private final ResponseCache cache;
    private final HttpLimits limitGate;
    private final boolean logPrompts;

    ResponsesController(Exchange exchange, ResponsesStore store, GatewayConfig config, ResponseCache cache,
            HttpLimits limitGate, RequestBodies bodies) {
        this.exchange = exchange;
        this.bodies = bodies;
        this.requests = new ResponsesRequests(exchange.router(), store, bodies);
        this.cache = cache;
        this.limitGate = limitGate;
        this.logPrompts = config.logPrompts();
    }

    @Operation(summary = "Create a model response (OpenAI Responses API)",
            description = "JSON or SSE (stream: true). Bridged to the backend's chat API (tools, namespaces, custom"
                    + " tools, reasoning); stored per API key unless store is false, for previous_response_id.")
    @Post(uri = "/v1/responses", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON,
            MediaType.TEXT_EVENT_STREAM})
    CompletableFuture<MutableHttpResponse<?>> create(HttpRequest<?> request,
            @Body @Nullable @Schema(type = "string", format = "binary") ByteBuffer<?> buffer) {
        RequestRecord record = Attributes.record(request);
        ResponsesRequests.Routed routed;
        byte[] body;
        try {
            body = BodyBytes.of(request, buffer, bodies);
            routed = requests.parse(body);
        } catch (GatewayException e) {
            return Replies.fail(request, e);
        }
        AffinityKeys.header(routed.route(), request.getHeaders().get(AffinityKeys.SESSION_HEADER));
        record.model(routed.clientModel());
        record.alias(routed.route().pool().alias());
        if (logPrompts) {
            String p = Json.string(routed.json().path("input"));
            record.prompt(p.length() > 4096 ? p.substring(0, 4096) + "…" : p);
        }
        List<String> hosted = ResponsesRequests.hostedTools(routed.json());
        return requests.resolve(routed, owner(record), System.currentTimeMillis() / 1000)
                .thenCompose(parsed -> limitGate.admit(request, record, routed.route(), parsed.json(),
                        body == null ? 0 : body.length, () -> serve(request, record, routed, parsed)))
                .<MutableHttpResponse<?>>thenApply(r -> hosted.isEmpty() || r.code() >= 300 ? r
                        : r.header(DROPPED_TOOLS, String.join(",", hosted)))
                .exceptionally(e -> {
                    routed.route().finish();
                    return ErrorResponses.ofThrowable(request, e);
                });
    }

    private CompletableFuture<MutableHttpResponse<?>> serve(HttpRequest<?> request, RequestRecord record,
            ResponsesRequests.Routed routed, ClientRequest.Responses parsed) {
        return cache.serve(request, "responses", "/v1/responses", routed.route().pool().alias(), parsed.stream(), null,
                parsed.json(), Attributes.caller(request), FollowerErrors.of(request), routed.route()::finish,
                record::clientGone, () -> exchange.serve(parsed, routed.route(),
                        record, NettyClientLink.of(request), Replies.loop(request))
                        .<MutableHttpResponse<?>>thenApply(Replies::of)
                        .exceptionally(e -> ErrorResponses.ofThrowable(request, e)));
    }

    @Operation(summary = "Compact a conversation (Codex's remote compaction)",
            description = "The model summarises the input; the answer lists the input's user messages and one"
                    + " compaction item, which a later request sends back in its input.")
    @Post(uri = "/v1/responses/compact", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> compact(HttpRequest<?> request,
            @Body @Nullable @Schema(type = "string", format = "binary") ByteBuffer<?> buffer) {
        RequestRecord record = Attributes.record(request);
        ResponsesRequests.Routed routed;
        byte[] body;
        try {
            body = BodyBytes.of(request, buffer, bodies);
            routed = requests.parse(body);
        } catch (GatewayException e) {
            return Replies.fail(request, e);
        }
        record.model(routed.clientModel());
        record.alias(routed.route().pool().alias());
        ResponsesRequests.Routed compaction = new ResponsesRequests.Routed(
                ResponsesRequests.compactionBody(routed.json()), routed.route(), routed.clientModel());
        return requests.resolve(compaction, owner(record), System.currentTimeMillis() / 1000)
                .thenCompose(parsed -> limitGate.admit(request, record, routed.route(), parsed.json(),
                        body == null ? 0 : body.length, () -> exchange.serve(parsed, routed.route(), record,
                                NettyClientLink.of(request), Replies.loop(request))
                                .<MutableHttpResponse<?>>thenApply(reply -> reply instanceof
                                        dev.sluice.endpoint.Reply.Json j ? Replies.json(ResponsesRequests.compacted(
                                        routed.json(), j.body())) : Replies.of(reply))
                                .exceptionally(e -> ErrorResponses.ofThrowable(request, e))))
                .exceptionally(e -> {
                    routed.route().finish();
                    return ErrorResponses.ofThrowable(request, e);
                });
    }

    @Operation(summary = "Codex's WebSocket transport",
            description = "Answers 426 so Codex falls back to HTTP for the session at once.")
    @Get(uri = "/v1/responses", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> upgrade(HttpRequest<?> request) {
        return Replies.fail(request, ResponsesErrors.upgradeRequired());
    }

    /** Stored responses belong to the key that made them; without keys every caller is the same owner. */
    static String owner(RequestRecord record) {
        return record == null || record.principal() == null ? "" : record.principal();
    }
}
