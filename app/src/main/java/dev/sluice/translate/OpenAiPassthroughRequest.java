package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.TokenLimitField;
import java.io.IOException;
import java.util.Map;

/**
 * Prepares an OpenAI request for an OpenAI-compatible runtime. Fields the gateway does not model are left
 * alone; when nothing needs changing the client's bytes go upstream untouched.
 */
public final class OpenAiPassthroughRequest {
    /** Which OpenAI endpoint a body is for; each has its own required field. */
    public enum Endpoint {
        CHAT("messages"), COMPLETIONS("prompt"), EMBEDDINGS("input");

        private final String requiredField;

        Endpoint(String requiredField) {
            this.requiredField = requiredField;
        }
    }

    private OpenAiPassthroughRequest() {}

    public static ObjectNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw GatewayException.invalid("the request body is empty; send a JSON object", null);
        }
        JsonNode node;
        try {
            node = Json.parse(body);
        } catch (IOException e) {
            throw GatewayException.invalid("the request body is not valid JSON: "
                    + firstLine(e.getMessage()), null);
        }
        if (node == null || !node.isObject()) {
            throw GatewayException.invalid("the request body must be a JSON object", null);
        }
        return (ObjectNode) node;
    }

    private static String firstLine(String msg) {
        if (msg == null) {
            return "parse error";
        }
        int nl = msg.indexOf('\n');
        String line = nl < 0 ? msg : msg.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    /**
     * @param configuredModel the one model this gateway serves, or null to forward the client's choice
     */
    public static PreparedRequest prepare(Endpoint endpoint, byte[] raw, ObjectNode body, ChatTarget profile,
            String configuredModel) {
        return prepare(endpoint, raw, body, profile, ModelNames.of(configuredModel));
    }

    public static PreparedRequest prepare(Endpoint endpoint, byte[] raw, ObjectNode body, ChatTarget profile,
            ModelNames models) {
        String configuredModel = models.configured();
        boolean changed = false;
        JsonNode modelNode = body.get("model");
        if (modelNode != null && !modelNode.isTextual()) {
            throw GatewayException.invalid("'model' must be a string", "model");
        }
        String clientModel = modelNode == null ? null : modelNode.asText();
        if (clientModel == null || clientModel.isEmpty()) {
            if (configuredModel == null) {
                throw GatewayException.invalid("'model' is required; GET /v1/models lists what this gateway serves",
                        "model");
            }
            clientModel = configuredModel;
        } else if (models.resolve(clientModel) == null) {
            throw new GatewayException(ErrorKind.NOT_FOUND, 404, "The model '" + clientModel
                    + "' does not exist on this gateway; it serves '" + configuredModel + "' (see GET /v1/models)",
                    "model", "model_not_found", Map.of());
        }
        String resolved = models.resolve(clientModel);
        String upstreamModel = profile.fixedModel() != null ? profile.fixedModel() : resolved;
        if (!upstreamModel.equals(modelNode == null ? null : modelNode.asText())) {
            body.put("model", upstreamModel);
            changed = true;
        }
        JsonNode required = body.get(endpoint.requiredField);
        if (required == null || required.isNull()
                || (endpoint == Endpoint.CHAT && (!required.isArray() || required.isEmpty()))) {
            throw GatewayException.invalid("'" + endpoint.requiredField + "' is required"
                    + (endpoint == Endpoint.CHAT ? " and must be a non-empty array of messages" : ""),
                    endpoint.requiredField);
        }
        JsonNode streamNode = body.get("stream");
        if (streamNode != null && !streamNode.isBoolean() && !streamNode.isNull()) {
            throw GatewayException.invalid("'stream' must be true or false", "stream");
        }
        boolean stream = endpoint != Endpoint.EMBEDDINGS && streamNode != null && streamNode.asBoolean(false);
        JsonNode n = body.get("n");
        if (n != null && n.canConvertToInt() && n.asInt() > 1 && !profile.multipleChoices()) {
            throw GatewayException.invalid("n=" + n.asInt() + " is not supported by the " + profile.runtime()
                    + " backend (it returns one choice per request); send n=1 or several requests", "n");
        }
        boolean wantsUsage = false;
        JsonNode so = body.get("stream_options");
        if (!stream) {
            if (so != null) {
                // vLLM answers 400 to stream_options on a non-streaming request
                body.remove("stream_options");
                changed = true;
            }
        } else {
            wantsUsage = so != null && so.path("include_usage").asBoolean(false);
            if (profile.streamUsage() && !wantsUsage) {
                ObjectNode opts = so != null && so.isObject() ? (ObjectNode) so : body.putObject("stream_options");
                opts.put("include_usage", true);
                changed = true;
            }
        }
        if (profile.onlyMaxTokens() && body.has("max_completion_tokens") && !body.has("max_tokens")) {
            body.set("max_tokens", body.get("max_completion_tokens"));
            changed = true;
        }
        if (profile.tokenField() == TokenLimitField.MAX_COMPLETION_TOKENS && profile.reasoningModels() != null
                && profile.reasoningModel(upstreamModel) && body.has("max_tokens")
                && !body.has("max_completion_tokens")) {
            // OpenAI's reasoning models answer 400 "Unsupported parameter: 'max_tokens'"
            body.set("max_completion_tokens", body.remove("max_tokens"));
            changed = true;
        }
        if (!profile.toolChoiceNone() && "none".equals(Json.text(body, "tool_choice"))) {
            // Ollama ignores tool_choice: not offering the tools is the only way to say "none"
            body.remove("tools");
            body.remove("tool_choice");
            body.remove("parallel_tool_calls");
            changed = true;
        }
        boolean toBase64 = false;
        if (endpoint == Endpoint.EMBEDDINGS && "base64".equals(Json.text(body, "encoding_format"))
                && !profile.embeddingsBase64()) {
            body.remove("encoding_format");
            toBase64 = true;
            changed = true;
        }
        String rewrite = profile.fixedModel() != null || !resolved.equals(clientModel) ? clientModel : null;
        String toolIdSeed = endpoint == Endpoint.CHAT && !profile.uniqueToolIds() ? OpenAiIds.seed() : null;
        return new PreparedRequest(changed ? Json.bytes(body) : raw, stream, clientModel, rewrite, wantsUsage,
                toBase64, toolIdSeed);
    }
}
