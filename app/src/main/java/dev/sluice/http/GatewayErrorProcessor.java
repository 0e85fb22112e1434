package dev.sluice.http;

import dev.sluice.protocol.ClientDialect;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * Errors Micronaut raises itself (no route, wrong method, body too large, unsupported media type) are
 * rendered in the caller's dialect like every other error: never Micronaut's own JSON, never a stack trace.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
public final class GatewayErrorProcessor implements ErrorResponseProcessor<byte[]> {

    @Override
    @SuppressWarnings("unchecked")
    public MutableHttpResponse<byte[]> processResponse(ErrorContext context, MutableHttpResponse<?> base) {
        HttpRequest<?> request = context.getRequest();
        int status = base.code();
        GatewayException e = switch (status) {
            case 404 -> GatewayException.of(ErrorKind.NOT_FOUND, "no route for " + request.getMethodName() + " "
                    + safePath(request.getPath()) + "; see GET /docs for the endpoints this gateway serves");
            case 405 -> new GatewayException(ErrorKind.INVALID_REQUEST, 405, "method " + request.getMethodName()
                    + " is not allowed on " + safePath(request.getPath()), null, "method_not_allowed", Map.of());
            case 413 -> GatewayException.of(ErrorKind.REQUEST_TOO_LARGE,
                    "the request body is larger than MAX_REQUEST_BYTES allows");
            case 415 -> new GatewayException(ErrorKind.INVALID_REQUEST, 415,
                    "unsupported content type; send application/json", null, null, Map.of());
            case 401 -> GatewayException.of(ErrorKind.AUTHENTICATION, "authentication required");
            case 403 -> GatewayException.of(ErrorKind.PERMISSION, "forbidden");
            default -> status >= 500
                    ? GatewayException.of(ErrorKind.API_ERROR, "internal error; the request id in x-request-id"
                            + " identifies it in the gateway's log")
                    : new GatewayException(ErrorKind.INVALID_REQUEST, status, status == 400
                            ? "bad request: " + firstError(context) : "request rejected (HTTP " + status + ")",
                            null, null, Map.of());
        };
        MutableHttpResponse<byte[]> out = (MutableHttpResponse<byte[]>) base;
        ClientDialect dialect = ErrorResponses.dialect(request);
        var record = Attributes.record(request);
        out.status(dialect.status(e));
        out.body(dialect.body(e, record == null ? null : record.requestId()));
        out.contentType(MediaType.APPLICATION_JSON_TYPE);
        return out;
    }

    /** Micronaut's own 400 messages name the failing parameter; they carry no body content. */
    private static String firstError(ErrorContext context) {
        if (!context.hasErrors()) {
            return "malformed request";
        }
        String m = context.getErrors().get(0).getMessage();
        return m.length() > 200 ? m.substring(0, 200) : m;
    }

    private static String safePath(String path) {
        String p = path.length() > 100 ? path.substring(0, 100) + "…" : path;
        return p.replaceAll("[^A-Za-z0-9/._\\-{}]", "?");
    }
}
