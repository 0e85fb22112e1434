package dev.sluice.http;

import dev.sluice.cache.FollowerReplies;
import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.anthropic.AnthropicErrors;
import dev.sluice.protocol.openai.OpenAiErrors;
import dev.sluice.protocol.responses.ResponsesErrors;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import java.nio.charset.StandardCharsets;

/** A cache follower's own errors, in its client's dialect (the same envelopes as every other error). */
final class FollowerErrors implements FollowerReplies {
    private final HttpRequest<?> request;

    private FollowerErrors(HttpRequest<?> request) {
        this.request = request;
    }

    static FollowerReplies of(HttpRequest<?> request) {
        return new FollowerErrors(request);
    }

    @Override
    public MutableHttpResponse<?> timeout(String message) {
        return ErrorResponses.of(request, error(true, message));
    }

    @Override
    public byte[] streamError(boolean timeout, String message) {
        GatewayException e = error(timeout, message);
        return switch (ErrorResponses.dialect(request)) {
            case OPENAI -> OpenAiErrors.streamEvent(e);
            case ANTHROPIC -> AnthropicErrors.streamEvent(e);
            // the Responses stream's error event: {"type":"error","code","message","param"}
            case RESPONSES -> ("event: error\ndata: " + Json.string(ResponsesErrors.responseError(e)
                    .put("type", "error").putNull("param")) + "\n\n").getBytes(StandardCharsets.UTF_8);
        };
    }

    private static GatewayException error(boolean timeout, String message) {
        return timeout ? GatewayException.of(ErrorKind.TIMEOUT, Cause.TOTAL_TIMEOUT, message)
                : GatewayException.of(ErrorKind.BAD_GATEWAY, message);
    }
}
