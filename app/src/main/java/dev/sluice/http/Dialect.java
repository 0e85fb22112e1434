package dev.sluice.http;

import dev.sluice.error.GatewayException;
import dev.sluice.protocol.anthropic.AnthropicErrors;
import dev.sluice.protocol.openai.OpenAiErrors;
import io.micronaut.http.HttpRequest;

/** Which API family a caller speaks, so every error reaches it in its own envelope. */
public enum Dialect {
    OPENAI, ANTHROPIC;

    public static Dialect of(HttpRequest<?> request) {
        String path = request.getPath();
        // the path decides; anthropic-version only matters where both APIs share a path (/v1/models)
        if (path.startsWith("/v1/messages")
                || (path.startsWith("/v1/models") && request.getHeaders().contains("anthropic-version"))) {
            return ANTHROPIC;
        }
        return OPENAI;
    }

    public int status(GatewayException e) {
        return this == ANTHROPIC ? AnthropicErrors.status(e) : e.status();
    }

    public byte[] body(GatewayException e, String requestId) {
        return this == ANTHROPIC ? AnthropicErrors.body(e, requestId) : OpenAiErrors.body(e);
    }
}
