package dev.sluice.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.micronaut.function.aws.proxy.payload1.ApiGatewayProxyRequestEventFunction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Buffered handler for REST API events (payload format 1.0, Lambda proxy integration).
 * Handler string: {@code dev.sluice.lambda.ApiGatewayV1Handler::handleRequest}, managed runtime {@code java25}.
 * The configuration is checked when the class is created (Lambda init), so a bad variable fails the init with a
 * message naming it.
 */
public class ApiGatewayV1Handler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent>,
        AutoCloseable {
    private final LambdaGateway gateway;
    private final ApiGatewayProxyRequestEventFunction function;

    /** What Lambda calls: configured from the process environment. */
    public ApiGatewayV1Handler() {
        this(LambdaGateway.fromEnvironment());
    }

    /** A handler over a gateway configured by the caller (tests, the cold start probe). */
    public ApiGatewayV1Handler(LambdaGateway gateway) {
        this.gateway = gateway;
        this.function = new ApiGatewayProxyRequestEventFunction(gateway.started());
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        String method = event.getHttpMethod();
        String path = event.getPath();
        if (context != null && context.getAwsRequestId() != null) {
            event.setHeaders(LambdaGateway.withRequestId(event.getHeaders(), context.getAwsRequestId()));
            event.setMultiValueHeaders(LambdaGateway.withRequestIds(event.getMultiValueHeaders(),
                    context.getAwsRequestId()));
        }
        if (event.getBody() != null) {
            byte[] raw = Boolean.TRUE.equals(event.getIsBase64Encoded()) ? Base64.getDecoder().decode(event.getBody())
                    : event.getBody().getBytes(StandardCharsets.UTF_8);
            String rejected = gateway.limits().tooLargeRequest(path, raw);
            if (rejected != null) {
                return json(413, rejected);
            }
            String body = new String(raw, StandardCharsets.UTF_8);
            String capped = gateway.limits().capTokens(method, path, body);
            if (!capped.equals(body)) {
                event.setBody(capped);
                event.setIsBase64Encoded(false);
            }
        }
        APIGatewayProxyResponseEvent response = function.handleRequest(event, context);
        String out = response.getBody();
        long size = LambdaLimits.encodedSize(out);
        if (size > LambdaLimits.MAX_BODY_BYTES) {
            return json(502, LambdaLimits.tooLarge(path, size));
        }
        return response;
    }

    private static APIGatewayProxyResponseEvent json(int status, String body) {
        APIGatewayProxyResponseEvent r = new APIGatewayProxyResponseEvent();
        r.setStatusCode(status);
        r.setHeaders(Map.of("Content-Type", "application/json"));
        r.setBody(body);
        r.setIsBase64Encoded(false);
        return r;
    }

    LambdaGateway gateway() {
        return gateway;
    }

    @Override
    public void close() {
        function.close();
        gateway.context().close();
    }
}
