package dev.sluice.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cache.ResponsesStore;
import dev.sluice.cache.StoredResponse;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.responses.ResponsesErrors;
import dev.sluice.routing.Route;
import dev.sluice.routing.Router;
import dev.sluice.translate.ResponsesCompaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The Responses API around the exchange: parsing and routing, {@code previous_response_id} resolved from the
 * store, finished responses stored per key, and the stored-response endpoints.
 */
public final class ResponsesRequests {
    /** Tool types a chat runtime can be offered; every other (hosted) tool is dropped and named in a header. */
    private static final Set<String> LOCAL_TOOLS = Set.of("function", "custom", "namespace");

    private final Router router;
    private final ResponsesStore store;
    private final RequestBodies bodies;

    public ResponsesRequests(Router router, ResponsesStore store, RequestBodies bodies) {
        this.router = router;
        this.store = store;
        this.bodies = bodies;
    }

    /** A parsed, routed request that still needs its earlier turns. */
    public record Routed(ObjectNode json, Route route, String clientModel) {
        public boolean stream() {
            return json.path("stream").asBoolean(false);
        }
    }

    public Routed parse(byte[] body) {
        ObjectNode json = bodies.parse(body);
        JsonNode model = json.get("model");
        if (model != null && !model.isTextual()) {
            throw GatewayException.invalid("'model' must be a string", "model");
        }
        JsonNode stream = json.get("stream");
        if (stream != null && !stream.isBoolean() && !stream.isNull()) {
            throw GatewayException.invalid("'stream' must be true or false", "stream");
        }
        Route route = ModelRouting.route(router, model == null ? null : model.asText(), false)
                .affinity(() -> AffinityKeys.openAi(json));
        return new Routed(json, route, ModelRouting.effectiveModel(router, Json.text(json, "model")));
    }

    /**
     * The request with its earlier turns: those of {@code previous_response_id} as {@code owner} stored them. An
     * id not stored here is left for a deployment that serves Responses itself to resolve (null prior items).
     */
    public CompletableFuture<ClientRequest.Responses> resolve(Routed r, String owner, long createdAt) {
        String previous = Json.text(r.json(), "previous_response_id");
        boolean keep = r.json().path("store").asBoolean(true);
        CompletableFuture<List<JsonNode>> prior = previous == null
                ? CompletableFuture.completedFuture(List.of())
                : store.get(previous, owner).thenApply(s -> s == null ? null : history(s));
        return prior.thenApply(items -> {
            List<JsonNode> own = new ArrayList<>(items == null ? List.of() : items);
            inputItems(r.json()).forEach(own::add);
            ArrayNode allInput = Json.NODES.arrayNode();
            own.forEach(allInput::add);
            return new ClientRequest.Responses(r.json(), r.clientModel(), r.stream(), items, keep, createdAt,
                    response -> {
                        if (keep && response.hasNonNull("id")) {
                            store.put(new StoredResponse(response.path("id").asText(), owner, Json.bytes(response),
                                    Json.bytes(allInput)));
                        }
                    });
        });
    }

    /**
     * {@code POST /v1/responses/compact} as a compaction request: the body's input gets a
     * {@code compaction_trigger}, nothing is streamed or stored.
     */
    public static ObjectNode compactionBody(ObjectNode json) {
        ObjectNode body = json.deepCopy();
        ArrayNode input = inputItems(json);
        input.addObject().put("type", "compaction_trigger");
        body.set("input", input);
        body.put("stream", false);
        body.put("store", false);
        return body;
    }

    /** The {@code /v1/responses/compact} answer from the compaction's Response (openai-python {@code CompactedResponse}). */
    public static byte[] compacted(ObjectNode clientBody, byte[] response) {
        JsonNode r = Json.tryParse(response);
        return Json.bytes(ResponsesCompaction.compacted(clientBody, r == null ? Json.object() : r));
    }

    /** Hosted tools (web_search, file_search…) no local model can run: dropped, and named to the client. */
    public static List<String> hostedTools(ObjectNode json) {
        List<String> out = new ArrayList<>();
        for (JsonNode t : json.path("tools")) {
            String type = t.path("type").asText("");
            if (!LOCAL_TOOLS.contains(type) && !out.contains(type)) {
                out.add(type);
            }
        }
        return out;
    }

    /** {@code input} as items: a bare string is one user message. */
    static ArrayNode inputItems(ObjectNode json) {
        JsonNode input = json.get("input");
        ArrayNode items = Json.NODES.arrayNode();
        if (input == null || input.isNull()) {
            return items;
        }
        if (input.isTextual()) {
            ObjectNode m = items.addObject();
            m.put("type", "message");
            m.put("role", "user");
            m.putArray("content").addObject().put("type", "input_text").put("text", input.asText());
            return items;
        }
        if (input.isArray()) {
            input.forEach(items::add);
        }
        return items;
    }

    /** What a follow-up continues from: the stored turn's input items, then its output items. */
    private static List<JsonNode> history(StoredResponse s) {
        List<JsonNode> items = new ArrayList<>();
        JsonNode input = Json.tryParse(s.inputItems());
        JsonNode response = Json.tryParse(s.response());
        if (input != null) {
            input.forEach(items::add);
        }
        if (response != null) {
            response.path("output").forEach(items::add);
        }
        return items;
    }

    /** {@code GET /v1/responses/{id}}. */
    public CompletableFuture<byte[]> get(String id, String owner) {
        return stored(id, owner).thenApply(StoredResponse::response);
    }

    /** {@code DELETE /v1/responses/{id}}: the deletion object OpenAI answers. */
    public CompletableFuture<byte[]> delete(String id, String owner) {
        checkId(id);
        return store.delete(id, owner).thenApply(deleted -> {
            if (!deleted) {
                throw ResponsesErrors.responseNotFound(id);
            }
            return Json.bytes(Json.object().put("id", id).put("object", "response.deleted").put("deleted", true));
        });
    }

    /** {@code GET /v1/responses/{id}/input_items}: a cursor page, newest first unless {@code order=asc}. */
    public CompletableFuture<byte[]> inputItems(String id, String owner, String after, Integer limit, String order) {
        int n = limit == null ? 20 : limit;
        if (n < 1 || n > 100) {
            throw GatewayException.invalid("limit must be from 1 to 100", "limit");
        }
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            throw GatewayException.invalid("order must be asc or desc", "order");
        }
        return stored(id, owner).thenApply(s -> {
            List<JsonNode> items = new ArrayList<>();
            JsonNode all = Json.tryParse(s.inputItems());
            if (all != null) {
                all.forEach(items::add);
            }
            if (!"asc".equals(order)) {
                java.util.Collections.reverse(items);
            }
            int start = 0;
            if (after != null) {
                for (int i = 0; i < items.size(); i++) {
                    if (after.equals(items.get(i).path("id").asText(null))) {
                        start = i + 1;
                    }
                }
            }
            ObjectNode page = Json.object();
            page.put("object", "list");
            ArrayNode data = page.putArray("data");
            items.subList(Math.min(start, items.size()), Math.min(start + n, items.size())).forEach(data::add);
            page.set("first_id", data.isEmpty() ? Json.NODES.nullNode() : data.get(0).path("id"));
            page.set("last_id", data.isEmpty() ? Json.NODES.nullNode() : data.get(data.size() - 1).path("id"));
            page.put("has_more", start + n < items.size());
            return Json.bytes(page);
        });
    }

    private CompletableFuture<StoredResponse> stored(String id, String owner) {
        checkId(id);
        return store.get(id, owner).thenApply(s -> {
            if (s == null) {
                throw ResponsesErrors.responseNotFound(id);
            }
            return s;
        });
    }

    /** vLLM's rule: an id without the {@code resp} prefix is a malformed request, not a missing response. */
    private static void checkId(String id) {
        if (id == null || !id.startsWith("resp")) {
            throw GatewayException.invalid("Invalid 'response_id': '" + id + "'. Expected an ID that begins with"
                    + " 'resp'.", "response_id");
        }
    }
}
