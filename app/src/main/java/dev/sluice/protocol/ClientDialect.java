package dev.sluice.protocol;

import dev.sluice.error.GatewayException;
import dev.sluice.protocol.anthropic.AnthropicErrors;
import dev.sluice.protocol.openai.OpenAiErrors;
import dev.sluice.protocol.responses.ResponsesErrors;
import java.nio.charset.StandardCharsets;

/**
 * Which API family a caller speaks (the client side of a pair), so every error reaches it in its own
 * envelope. The Netty controllers and both Lambda handlers decide it the same way, from the path.
 */
public enum ClientDialect {
    /** OpenAI chat completions, completions, embeddings and models. */
    OPENAI,
    /** The Anthropic Messages API. */
    ANTHROPIC,
    /** The OpenAI Responses API: its errors use the OpenAI envelope before the first byte. */
    RESPONSES;

    /**
     * The path decides; {@code anthropic-version} only matters where both APIs share a path ({@code /v1/models}).
     * A trailing slash or a {@code ?query} does not change the answer.
     */
    public static ClientDialect of(String path, boolean anthropicVersionHeader) {
        String p = path == null ? "" : path;
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        if (p.startsWith("/v1/messages")
                || (p.startsWith("/v1/models") && anthropicVersionHeader)) {
            return ANTHROPIC;
        }
        if (p.startsWith("/v1/responses")) {
            return RESPONSES;
        }
        return OPENAI;
    }

    public int status(GatewayException e) {
        return this == ANTHROPIC ? AnthropicErrors.status(e) : e.status();
    }

    public byte[] body(GatewayException e, String requestId) {
        return this == ANTHROPIC ? AnthropicErrors.body(e, requestId) : OpenAiErrors.body(e);
    }

    /** The error as the one event that ends a stream whose 200 already went out, in this dialect. */
    public byte[] streamError(GatewayException e) {
        return switch (this) {
            case OPENAI -> OpenAiErrors.streamEvent(e);
            case ANTHROPIC -> AnthropicErrors.streamEvent(e);
            // the Responses stream's error event: {"type":"error","code","message","param"}
            case RESPONSES -> ("event: error\ndata: " + Json.string(ResponsesErrors.responseError(e)
                    .put("type", "error").putNull("param")) + "\n\n").getBytes(StandardCharsets.UTF_8);
        };
    }
}
