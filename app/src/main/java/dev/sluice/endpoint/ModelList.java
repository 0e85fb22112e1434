package dev.sluice.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.UpstreamCall;
import dev.sluice.backend.WireDialect;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.RequestRecord;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.anthropic.AnthropicModels;
import dev.sluice.routing.ClientLink;
import dev.sluice.routing.Dispatcher;
import dev.sluice.routing.Pool;
import dev.sluice.routing.Router;
import dev.sluice.routing.Upstream;
import io.netty.channel.EventLoop;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/models} and {@code /v1/models/{id}}: the configured aliases when there is a model list,
 * else the one backend's own list; in the Anthropic page shape when the caller speaks Anthropic.
 */
public final class ModelList {
    private final Dispatcher dispatcher;
    private final Router router;
    private final String configuredModel;
    private final long startedAt = System.currentTimeMillis() / 1000;

    /** @param configuredModel MODEL_NAME, or null */
    public ModelList(Dispatcher dispatcher, String configuredModel) {
        this.dispatcher = dispatcher;
        this.router = dispatcher.router();
        this.configuredModel = configuredModel;
    }

    public CompletableFuture<byte[]> list(boolean anthropic, RequestRecord record, ClientLink client,
            EventLoop loop) {
        if (!router.namedPools().isEmpty()) {
            ObjectNode l = Json.object();
            l.put("object", "list");
            var data = l.putArray("data");
            for (Pool p : router.namedPools()) {
                data.add(modelObject(p.alias()));
            }
            return CompletableFuture.completedFuture(Json.bytes(anthropic ? AnthropicModels.page(l) : l));
        }
        return upstreamModels(record, client, loop).thenApply(b -> {
            JsonNode n = Json.tryParse(b);
            if (n == null || !n.path("data").isArray()) {
                throw GatewayException.of(ErrorKind.BAD_GATEWAY, "the backend's model list is not an OpenAI list");
            }
            return Json.bytes(anthropic ? AnthropicModels.page(n) : n);
        });
    }

    public CompletableFuture<byte[]> model(String id, boolean anthropic, RequestRecord record, ClientLink client,
            EventLoop loop) {
        if (!router.namedPools().isEmpty()) {
            if (router.namedPools().stream().anyMatch(p -> p.alias().equals(id))) {
                return CompletableFuture.completedFuture(Json.bytes(anthropic
                        ? AnthropicModels.model(id, startedAt) : modelObject(id)));
            }
            return CompletableFuture.failedFuture(modelNotFound(id));
        }
        return upstreamModels(record, client, loop).thenApply(bytes -> {
            JsonNode list = Json.tryParse(bytes);
            if (list != null) {
                for (JsonNode m : list.path("data")) {
                    if (id.equals(m.path("id").asText())) {
                        return Json.bytes(anthropic ? AnthropicModels.model(id, m.path("created").asLong(0)) : m);
                    }
                }
            }
            throw modelNotFound(id);
        });
    }

    private CompletableFuture<byte[]> upstreamModels(RequestRecord record, ClientLink client, EventLoop loop) {
        UpstreamCall call = new UpstreamCall("GET", "/models", null, false, loop);
        Upstream first = router.pools().get(0).upstreams().get(0);
        return dispatcher.unaryTo(first, call, record, client).thenApply(r -> r.body());
    }

    private ObjectNode modelObject(String id) {
        ObjectNode m = Json.object();
        m.put("id", id);
        m.put("object", "model");
        m.put("created", startedAt);
        Pool pool = router.pool(id);
        m.put("owned_by", pool == null ? "sluice" : ownedBy(pool.upstreams().get(0)));
        return m;
    }

    /** Who serves the alias: the runtime kind, or the hosted API behind a real-Anthropic deployment. */
    private static String ownedBy(Upstream u) {
        return u.backend().dialect() == WireDialect.ANTHROPIC ? "anthropic" : u.profile().kind().id();
    }

    private GatewayException modelNotFound(String id) {
        return new GatewayException(ErrorKind.NOT_FOUND, 404, "The model '" + id + "' does not exist on this gateway"
                + (configuredModel == null ? "" : "; it serves '" + configuredModel + "'"), "model",
                "model_not_found", Map.of());
    }
}
