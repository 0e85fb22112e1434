package dev.sluice.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.micronaut.function.aws.proxy.payload2.APIGatewayV2HTTPEventFunction;
import java.util.Map;

/**
 * Buffered handler for HTTP API and Function URL events (payload format 2.0).
 * Handler string: {@code dev.sluice.lambda.ApiGatewayV2Handler::handleRequest}, managed runtime {@code java25}.
 * The configuration is checked when the class is created (Lambda init), so a bad variable fails the init with a
 * message naming it.
 */
public class ApiGatewayV2Handler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>,
        AutoCloseable {
    private final LambdaGateway gateway;
    private final APIGatewayV2HTTPEventFunction function;

    /** What Lambda calls: configured from the process environment. */
    public ApiGatewayV2Handler() {
        this(LambdaGateway.fromEnvironment());
    }

    /** A handler over a gateway configured by the caller (tests, the cold start probe). */
    public ApiGatewayV2Handler(LambdaGateway gateway) {
        this.gateway = gateway;
        this.function = new APIGatewayV2HTTPEventFunction(gateway.started());
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String method = event.getRequestContext() != null && event.getRequestContext().getHttp() != null
                ? event.getRequestContext().getHttp().getMethod() : null;
        String path = event.getRawPath();
        if (context != null && context.getAwsRequestId() != null) {
            event.setHeaders(LambdaGateway.withRequestId(event.getHeaders(), context.getAwsRequestId()));
        }
        if (event.getBody() != null) {
            LambdaLimits.BodyCheck check = gateway.limits().check(method, path, event.getBody(),
                    event.getIsBase64Encoded());
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

    private static APIGatewayV2HTTPResponse json(int status, String body) {
        APIGatewayV2HTTPResponse r = new APIGatewayV2HTTPResponse();
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
