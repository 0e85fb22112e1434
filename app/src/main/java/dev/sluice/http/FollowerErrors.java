package dev.sluice.http;

import dev.sluice.cache.FollowerReplies;
import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;

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
        return ErrorResponses.dialect(request).streamError(error(timeout, message));
    }

    private static GatewayException error(boolean timeout, String message) {
        return timeout ? GatewayException.of(ErrorKind.TIMEOUT, Cause.TOTAL_TIMEOUT, message)
                : GatewayException.of(ErrorKind.BAD_GATEWAY, message);
    }
}
