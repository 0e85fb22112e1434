package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.StreamUsage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * Shapes a complete OpenAI-compatible response for an OpenAI client. The backend's bytes go out unchanged
 * unless the model name must be restored or float embeddings must become the base64 the client asked for
 * (openai-python asks for base64 by default, protocols.md §2.6).
 */
public final class OpenAiPassthroughResponse {
    private static final int PARSE_FOR_USAGE_LIMIT = 256 * 1024;

    /** The body to send and the usage it reported (-1 when unknown); {@code cachedTokens} 0 when none. */
    public record Shaped(byte[] body, long promptTokens, long completionTokens, long cachedTokens) {
        Shaped(byte[] body, long promptTokens, long completionTokens) {
            this(body, promptTokens, completionTokens, 0);
        }
    }

    private OpenAiPassthroughResponse() {}

    public static Shaped shape(byte[] body, PreparedRequest prepared) {
        boolean mustEdit = prepared.rewriteModelTo() != null || prepared.base64Embeddings()
                || prepared.toolIdSeed() != null;
        if (!mustEdit && body.length > PARSE_FOR_USAGE_LIMIT) {
            return new Shaped(body, -1, -1);
        }
        if (!mustEdit) {
            JsonNode usage = Json.member(body, "usage");
            return usage == null ? new Shaped(body, -1, -1) : withUsage(body, usage);
        }
        JsonNode node = Json.tryParse(body);
        if (node == null || !node.isObject()) {
            return new Shaped(body, -1, -1);
        }
        ObjectNode root = (ObjectNode) node;
        if (prepared.rewriteModelTo() != null && root.has("model")) {
            root.put("model", prepared.rewriteModelTo());
        }
        if (prepared.toolIdSeed() != null) {
            for (JsonNode choice : root.path("choices")) {
                int i = 0;
                for (JsonNode call : choice.path("message").path("tool_calls")) {
                    if (call instanceof ObjectNode c) {
                        c.put("id", OpenAiIds.callId(prepared.toolIdSeed(), i, Json.text(c, "id")));
                    }
                    i++;
                }
            }
        }
        if (prepared.base64Embeddings()) {
            for (JsonNode item : root.path("data")) {
                JsonNode vec = item.get("embedding");
                if (vec != null && vec.isArray() && item instanceof ObjectNode o) {
                    ByteBuffer bb = ByteBuffer.allocate(vec.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
                    for (JsonNode f : vec) {
                        bb.putFloat((float) f.asDouble());
                    }
                    o.put("embedding", Base64.getEncoder().encodeToString(bb.array()));
                }
            }
        }
        return withUsage(Json.bytes(root), root.path("usage"));
    }

    /** Usage as the answer reported it: -1 for tokens it did not report, no completion count without a usage object. */
    private static Shaped withUsage(byte[] body, JsonNode usage) {
        return new Shaped(body, usage.path("prompt_tokens").asLong(-1),
                usage.path("completion_tokens").asLong(usage.isObject() ? 0 : -1), StreamUsage.cached(usage));
    }
}
