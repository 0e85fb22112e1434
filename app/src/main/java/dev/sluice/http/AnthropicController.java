package dev.sluice.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.BackendProfile;
import dev.sluice.backend.UpstreamCall;
import dev.sluice.config.GatewayConfig;
import dev.sluice.config.ModelNames;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.GatewayMetrics;
import dev.sluice.observability.RequestRecord;
import dev.sluice.protocol.Json;
import dev.sluice.routing.Dispatcher;
import dev.sluice.routing.TokenCounter;
import dev.sluice.translate.AnthropicIds;
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
    private final BackendProfile profile;
    private final GatewayMetrics metrics;
    private final ModelNames models;
    private final String secret;
    private final boolean logPrompts;

    AnthropicController(Dispatcher dispatcher, GatewayConfig config, GatewayMetrics metrics) {
        this.dispatcher = dispatcher;
        this.counter = new TokenCounter(dispatcher);
        this.profile = dispatcher.backend().profile();
        this.metrics = metrics;
        this.models = ModelNames.of(config);
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
        record.backend(profile.kind().id());
        ObjectNode json;
        AnthropicRequest translated;
        try {
            json = OpenAiPassthroughRequest.parse(body);
            translated = translate(json);
        } catch (GatewayException e) {
            return fail(request, e);
        }
        record.model(translated.clientModel());
        if (logPrompts) {
            String p = Json.string(json.path("messages"));
            record.prompt(p.length() > 4096 ? p.substring(0, 4096) + "…" : p);
        }
        if (translated.maxTokens() == 0) {
            // max_tokens 0 is a cache pre-warm: there is nothing to generate and no local cache to warm
            return CompletableFuture.completedFuture(json(Json.bytes(emptyMessage(translated))));
        }
        var loop = NettyClientLink.loop(request);
        UpstreamCall call = new UpstreamCall("POST", "/chat/completions", Json.bytes(translated.openAi()),
                translated.stream(), loop != null ? loop : SharedLoop.get());
        if (!translated.stream()) {
            return dispatcher.unary(call, record, NettyClientLink.of(request)).<MutableHttpResponse<?>>thenApply(r -> {
                ObjectNode message = OpenAiToAnthropicResponse.translate(r.body(), translated);
                var usage = message.path("usage");
                record.tokens(usage.path("input_tokens").asLong() + usage.path("cache_read_input_tokens").asLong()
                        + usage.path("cache_creation_input_tokens").asLong(), usage.path("output_tokens").asLong(),
                        false);
                return json(Json.bytes(message));
            }).exceptionally(e -> error(request, e));
        }
        var translator = new OpenAiToAnthropicStream(AnthropicIds.messageId(), translated, secret);
        return dispatcher.stream(call, translator, record, NettyClientLink.of(request))
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
        record.backend(profile.kind().id());
        ObjectNode json;
        AnthropicRequest translated;
        try {
            json = OpenAiPassthroughRequest.parse(body);
            json.remove("stream");
            translated = translate(json);
        } catch (GatewayException e) {
            return fail(request, e);
        }
        record.model(translated.clientModel());
        var loop = NettyClientLink.loop(request);
        return counter.count(json, translated, loop != null ? loop : SharedLoop.get(), record)
                .<MutableHttpResponse<?>>thenApply(c -> json(Json.bytes(Json.object()
                        .put("input_tokens", c.inputTokens()))).header("x-sluice-token-count", c.method()))
                .exceptionally(e -> error(request, e));
    }

    private AnthropicRequest translate(ObjectNode json) {
        var modelNode = json.get("model");
        String clientModel = modelNode != null && modelNode.isTextual() ? modelNode.asText() : null;
        String upstream = models.resolve(clientModel);
        if (upstream == null || upstream.isEmpty()) {
            if (clientModel == null || clientModel.isEmpty()) {
                throw GatewayException.invalid("model: Field required", "model");
            }
            throw new GatewayException(ErrorKind.NOT_FOUND, 404, "model: '" + clientModel + "' is not served here;"
                    + " this gateway serves '" + models.configured() + "' (MODEL_ALIASES can map other names to it)",
                    "model", null, Map.of());
        }
        return AnthropicToOpenAiRequest.translate(json, profile, upstream,
                clientModel == null || clientModel.isEmpty() ? upstream : clientModel);
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
        Throwable c = t;
        while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        GatewayException e = c instanceof GatewayException g ? g
                : GatewayException.of(ErrorKind.API_ERROR, "internal error (" + c.getClass().getSimpleName() + ")");
        return ErrorResponses.of(request, e);
    }
}
