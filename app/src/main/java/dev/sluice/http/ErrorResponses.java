package dev.sluice.http;

import dev.sluice.protocol.ClientDialect;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.RequestRecord;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;

/** Builds error responses in the caller's dialect, with the status and headers the error carries. */
public final class ErrorResponses {
    private ErrorResponses() {}

    /**
     * The response for whatever ended a request's future: a {@link GatewayException} as itself, anything else
     * as a 500 whose message names only the exception type (never its text, which could echo input).
     */
    public static MutableHttpResponse<byte[]> ofThrowable(HttpRequest<?> request, Throwable t) {
        Throwable c = t;
        while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        GatewayException e = c instanceof GatewayException g ? g
                : GatewayException.of(dev.sluice.error.ErrorKind.API_ERROR,
                        "internal error (" + c.getClass().getSimpleName() + ")");
        return of(request, e);
    }

    /** The caller's dialect, decided as the Lambda handlers decide it. */
    public static ClientDialect dialect(HttpRequest<?> request) {
        return ClientDialect.of(request.getPath(), request.getHeaders().contains("anthropic-version"));
    }

    public static MutableHttpResponse<byte[]> of(HttpRequest<?> request, GatewayException e) {
        ClientDialect dialect = ErrorResponses.dialect(request);
        RequestRecord record = Attributes.record(request);
        String requestId = record == null ? null : record.requestId();
        int status = dialect.status(e);
        MutableHttpResponse<byte[]> response = HttpResponse.<byte[]>status(status, reason(status))
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(dialect.body(e, requestId));
        e.headers().forEach(response::header);
        if (!e.headers().containsKey("x-should-retry")) {
            // the Anthropic and OpenAI SDKs obey x-should-retry before looking at the status: without it they
            // retry every 5xx, a runtime's 501 "not supported" included. The real API's own value passes as sent.
            response.header("x-should-retry", Boolean.toString(e.retryable()));
        }
        return response;
    }

    /** Micronaut's HttpStatus has no 529 (Anthropic's overloaded_error): valueOf would throw and turn it into 500. */
    private static String reason(int status) {
        if (status == 529) {
            return "Overloaded";
        }
        try {
            return HttpStatus.valueOf(status).getReason();
        } catch (IllegalArgumentException e) {
            return "Error";
        }
    }
}
