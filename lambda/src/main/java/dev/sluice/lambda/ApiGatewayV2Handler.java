package dev.sluice.lambda;

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
public class ApiGatewayV2Handler extends BufferedHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    /** What Lambda calls: configured from the process environment. */
    public ApiGatewayV2Handler() {
        this(LambdaGateway.fromEnvironment());
    }

    /** A handler over a gateway configured by the caller (tests, the cold start probe). */
    public ApiGatewayV2Handler(LambdaGateway gateway) {
        super(gateway, APIGatewayV2HTTPEventFunction::new);
    }

    @Override
    String method(APIGatewayV2HTTPEvent event) {
        return event.getRequestContext() != null && event.getRequestContext().getHttp() != null
                ? event.getRequestContext().getHttp().getMethod() : null;
    }

    @Override
    String path(APIGatewayV2HTTPEvent event) {
        return event.getRawPath();
    }

    @Override
    String body(APIGatewayV2HTTPEvent event) {
        return event.getBody();
    }

    @Override
    boolean base64(APIGatewayV2HTTPEvent event) {
        return event.getIsBase64Encoded();
    }

    @Override
    String header(APIGatewayV2HTTPEvent event, String name) {
        return LambdaGateway.header(event.getHeaders(), name);
    }

    @Override
    void adoptRequestId(APIGatewayV2HTTPEvent event, String awsRequestId) {
        event.setHeaders(LambdaGateway.withRequestId(event.getHeaders(), awsRequestId));
    }

    @Override
    void replaceBody(APIGatewayV2HTTPEvent event, String body) {
        event.setBody(body);
        event.setIsBase64Encoded(false);
    }

    @Override
    String responseBody(APIGatewayV2HTTPResponse response) {
        return response.getBody();
    }

    @Override
    APIGatewayV2HTTPResponse response(int status, Map<String, String> headers, String body) {
        APIGatewayV2HTTPResponse r = new APIGatewayV2HTTPResponse();
        r.setStatusCode(status);
        r.setHeaders(headers);
        r.setBody(body);
        r.setIsBase64Encoded(false);
        return r;
    }
}
