package dev.sluice.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.ClientDialect;
import io.micronaut.context.ApplicationContext;
import io.micronaut.function.executor.FunctionInitializer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What both buffered handlers do around the gateway: adopt Lambda's request id, check the body against the Lambda
 * limits ({@link LambdaLimits}), hand the event to Micronaut's API Gateway proxy function, and replace a response
 * too large for Lambda. Errors of its own reach the caller in the caller's dialect ({@link ClientDialect}), as the
 * gateway's do. A subclass only adapts one event type: how to read and rewrite its parts.
 *
 * @param <Req> the API Gateway event
 * @param <Resp> the response event
 */
public abstract class BufferedHandler<Req, Resp> implements RequestHandler<Req, Resp>, AutoCloseable {
    private final LambdaGateway gateway;
    private final RequestHandler<Req, Resp> function;
    private final FunctionInitializer initializer;

    <F extends FunctionInitializer & RequestHandler<Req, Resp>> BufferedHandler(LambdaGateway gateway,
            Function<ApplicationContext, F> function) {
        this.gateway = gateway;
        F f = function.apply(gateway.started());
        this.function = f;
        this.initializer = f;
    }

    @Override
    public final Resp handleRequest(Req event, Context context) {
        if (context != null && context.getAwsRequestId() != null) {
            adoptRequestId(event, context.getAwsRequestId());
        }
        String path = path(event);
        String body = body(event);
        if (body != null) {
            try {
                String replacement = gateway.limits().check(method(event), path, body, base64(event));
                if (replacement != null) {
                    replaceBody(event, replacement);
                }
            } catch (GatewayException e) {
                return error(event, path, e);
            }
        }
        Resp response = function.handleRequest(event, context);
        GatewayException tooLarge = LambdaLimits.responseTooLarge(responseBody(response));
        return tooLarge == null ? response : error(event, path, tooLarge);
    }

    private Resp error(Req event, String path, GatewayException e) {
        ClientDialect dialect = ClientDialect.of(path, header(event, "anthropic-version") != null);
        String requestId = header(event, "x-request-id");
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json");
        if (requestId != null) {
            headers.put("x-request-id", requestId);
        }
        headers.putAll(e.headers());
        return response(dialect.status(e), headers,
                new String(dialect.body(e, requestId), StandardCharsets.UTF_8));
    }

    // --- the event type ---

    abstract String method(Req event);

    abstract String path(Req event);

    /** The body as the event carries it: base64 when {@link #base64} says so; null when there is none. */
    abstract String body(Req event);

    abstract boolean base64(Req event);

    /** A request header, whatever the case of its name; null when absent. */
    abstract String header(Req event, String name);

    /** Sets {@code x-request-id} to Lambda's request id unless the caller sent one ({@code withRequestId}). */
    abstract void adoptRequestId(Req event, String awsRequestId);

    /** Replaces the body with {@code body}, as plain text. */
    abstract void replaceBody(Req event, String body);

    abstract String responseBody(Resp response);

    abstract Resp response(int status, Map<String, String> headers, String body);

    LambdaGateway gateway() {
        return gateway;
    }

    @Override
    public void close() {
        initializer.close();
        gateway.context().close();
    }
}
