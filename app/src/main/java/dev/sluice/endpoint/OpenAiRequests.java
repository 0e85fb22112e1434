package dev.sluice.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.routing.Route;
import dev.sluice.routing.Router;
import dev.sluice.translate.OpenAiPassthroughRequest.Endpoint;

/** Parsing and routing of OpenAI chat, completions and embeddings requests, before any deployment is chosen. */
public final class OpenAiRequests {
    /** The OpenAI operations this gateway serves, with the path each has below a backend's base URL. */
    public enum Api {
        CHAT(Endpoint.CHAT, "/chat/completions", "messages"),
        COMPLETIONS(Endpoint.COMPLETIONS, "/completions", "prompt"),
        EMBEDDINGS(Endpoint.EMBEDDINGS, "/embeddings", "input");

        private final Endpoint endpoint;
        private final String path;
        private final String promptField;

        Api(Endpoint endpoint, String path, String promptField) {
            this.endpoint = endpoint;
            this.path = path;
            this.promptField = promptField;
        }

        public String path() {
            return path;
        }

        /** The field that holds what the caller asked (for LOG_PROMPTS). */
        public String promptField() {
            return promptField;
        }
    }

    /** A parsed request and the route it takes. */
    public record Routed(ClientRequest.OpenAi request, Route route) {}

    private final Router router;
    private final RequestBodies bodies;

    public OpenAiRequests(Router router, RequestBodies bodies) {
        this.router = router;
        this.bodies = bodies;
    }

    /** Parses the body and routes its model; a 400 or 404 as a {@link GatewayException}. */
    public Routed parse(Api op, byte[] body) {
        ObjectNode json = bodies.parse(body);
        JsonNode modelNode = json.get("model");
        if (modelNode != null && !modelNode.isTextual()) {
            throw GatewayException.invalid("'model' must be a string", "model");
        }
        Route route = ModelRouting.route(router, modelNode == null ? null : modelNode.asText(), false)
                .affinity(() -> AffinityKeys.openAi(json));
        String clientModel = ModelRouting.effectiveModel(router, Json.text(json, "model"));
        boolean stream = op != Api.EMBEDDINGS && json.path("stream").asBoolean(false);
        return new Routed(new ClientRequest.OpenAi(op.endpoint, op.path, body, json, clientModel, stream), route);
    }
}
