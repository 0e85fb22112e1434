package dev.sluice.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.micronaut.function.aws.proxy.payload1.ApiGatewayProxyRequestEventFunction;
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
            LambdaLimits.BodyCheck check = gateway.limits().check(method, path, event.getBody(),
                    Boolean.TRUE.equals(event.getIsBase64Encoded()));
            if (check.rejection() != null) {
                return json(413, check.rejection());
            }
            if (check.replacement() != null) {
                event.setBody(check.replacement());
                event.setIsBase64Encoded(false);
            }
        }
        var response = function.handleRequest(event, context);
        String tooLarge = LambdaLimits.responseTooLarge(path, response.getBody());
        return tooLarge != null ? json(502, tooLarge) : response;
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
