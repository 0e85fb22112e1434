package dev.sluice.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.sluice.lambda.contract.ServerUnderTest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Lambda handlers as servers under test: each request becomes an event handed to handleRequest. */
final class LambdaServers {
    private LambdaServers() {}

    static LambdaGateway gateway(Map<String, String> env) {
        return LambdaGateway.start(env::get, LambdaGateway.asProperties(env));
    }

    static final class V2 implements ServerUnderTest {
        final ApiGatewayV2Handler handler;

        V2(Map<String, String> env) {
            handler = new ApiGatewayV2Handler(gateway(env));
        }

        @Override
        public Response send(String method, String path, Map<String, String> headers, String body) {
            APIGatewayV2HTTPResponse r = handler.handleRequest(Events.v2(method, path, headers, body),
                    new TestContext());
            return new Response(r.getStatusCode(), headers(r.getHeaders(), r.getMultiValueHeaders()),
                    body(r.getBody(), r.getIsBase64Encoded()));
        }

        @Override
        public void close() {
            handler.close();
        }
    }

    static final class V1 implements ServerUnderTest {
        final ApiGatewayV1Handler handler;

        V1(Map<String, String> env) {
            handler = new ApiGatewayV1Handler(gateway(env));
        }

        @Override
        public Response send(String method, String path, Map<String, String> headers, String body) {
            APIGatewayProxyResponseEvent r = handler.handleRequest(Events.v1(method, path, headers, body),
                    new TestContext());
            return new Response(r.getStatusCode(), headers(r.getHeaders(), r.getMultiValueHeaders()),
                    body(r.getBody(), Boolean.TRUE.equals(r.getIsBase64Encoded())));
        }

        @Override
        public void close() {
            handler.close();
        }
    }

    static Map<String, String> headers(Map<String, String> single, Map<String, List<String>> multi) {
        Map<String, String> h = new HashMap<>();
        if (multi != null) {
            multi.forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
        }
        if (single != null) {
            single.forEach((k, v) -> h.putIfAbsent(k.toLowerCase(Locale.ROOT), v));
        }
        return h;
    }

    static String body(String body, boolean base64) {
        if (body == null) {
            return "";
        }
        return base64 ? new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8) : body;
    }
}
