package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;

/**
 * Anthropic client, real Anthropic deployment: the request goes upstream as the client wrote it, with only
 * {@code model} set to the deployment's model (betas, thinking, cache_control and fields this gateway does not
 * know all pass); the response comes back with {@code model} restored to the client's name.
 */
public final class AnthropicPassthrough {
    private AnthropicPassthrough() {}

    /**
     * @param body the Messages request to send
     * @param clientModel the model the client asked for, restored in the response
     */
    public record Prepared(byte[] body, boolean stream, String clientModel) {}

    public static Prepared prepare(ObjectNode request, String upstreamModel, String clientModel) {
        ObjectNode copy = request.deepCopy();
        copy.put("model", upstreamModel);
        return new Prepared(Json.bytes(copy), copy.path("stream").asBoolean(false), clientModel);
    }

    /** The upstream message with {@code model} restored; a body that is not a JSON object passes unchanged. */
    public static byte[] response(byte[] body, Prepared request) {
        JsonNode m = Json.tryParse(body);
        if (m instanceof ObjectNode o && o.has("model")) {
            o.put("model", request.clientModel());
            return Json.bytes(o);
        }
        return body;
    }
}
