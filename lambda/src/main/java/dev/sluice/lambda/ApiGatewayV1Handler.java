package dev.sluice.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.micronaut.function.aws.proxy.payload1.ApiGatewayProxyRequestEventFunction;
import java.util.List;
import java.util.Map;

/**
 * Buffered handler for REST API events (payload format 1.0, Lambda proxy integration).
 * Handler string: {@code dev.sluice.lambda.ApiGatewayV1Handler::handleRequest}, managed runtime {@code java25}.
 * The configuration is checked when the class is created (Lambda init), so a bad variable fails the init with a
 * message naming it. Payload 1.0 carries headers twice, single- and multi-valued: both are read and kept in step.
 */
public class ApiGatewayV1Handler extends BufferedHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    /** What Lambda calls: configured from the process environment. */
    public ApiGatewayV1Handler() {
        this(LambdaGateway.fromEnvironment());
    }

    /** A handler over a gateway configured by the caller (tests, the cold start probe). */
    public ApiGatewayV1Handler(LambdaGateway gateway) {
        super(gateway, ApiGatewayProxyRequestEventFunction::new);
    }

    @Override
    String method(APIGatewayProxyRequestEvent event) {
        return event.getHttpMethod();
    }

    @Override
    String path(APIGatewayProxyRequestEvent event) {
        return event.getPath();
    }

    @Override
    String body(APIGatewayProxyRequestEvent event) {
        return event.getBody();
    }

    @Override
    boolean base64(APIGatewayProxyRequestEvent event) {
        return Boolean.TRUE.equals(event.getIsBase64Encoded());
    }

    @Override
    String header(APIGatewayProxyRequestEvent event, String name) {
        String v = LambdaGateway.header(event.getHeaders(), name);
        if (v != null) {
            return v;
        }
        Map<String, List<String>> multi = event.getMultiValueHeaders();
        if (multi != null) {
            for (var e : multi.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name) && e.getValue() != null && !e.getValue().isEmpty()) {
                    return e.getValue().get(0);
                }
            }
        }
        return null;
    }

    @Override
    void adoptRequestId(APIGatewayProxyRequestEvent event, String awsRequestId) {
        event.setHeaders(LambdaGateway.withRequestId(event.getHeaders(), awsRequestId));
        event.setMultiValueHeaders(LambdaGateway.withRequestIds(event.getMultiValueHeaders(), awsRequestId));
    }

    @Override
    void replaceBody(APIGatewayProxyRequestEvent event, String body) {
        event.setBody(body);
        event.setIsBase64Encoded(false);
    }

    @Override
    String responseBody(APIGatewayProxyResponseEvent response) {
        return response.getBody();
    }

    @Override
    APIGatewayProxyResponseEvent response(int status, Map<String, String> headers, String body) {
        APIGatewayProxyResponseEvent r = new APIGatewayProxyResponseEvent();
        r.setStatusCode(status);
        r.setHeaders(headers);
        r.setBody(body);
        r.setIsBase64Encoded(false);
        return r;
    }
}
