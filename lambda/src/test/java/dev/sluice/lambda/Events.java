package dev.sluice.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** API Gateway events as API Gateway builds them for a request. */
final class Events {
    private Events() {}

    /** HTTP API / Function URL, payload 2.0: header names arrive in lower case. */
    static APIGatewayV2HTTPEvent v2(String method, String path, Map<String, String> headers, String body) {
        Map<String, String> h = new HashMap<>();
        headers.forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), v));
        h.putIfAbsent("host", "abc123.lambda-url.eu-west-1.on.aws");
        String rawPath = path;
        String query = "";
        int q = path.indexOf('?');
        if (q >= 0) {
            rawPath = path.substring(0, q);
            query = path.substring(q + 1);
        }
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("$default")
                .withRawPath(rawPath)
                .withRawQueryString(query)
                .withHeaders(h)
                .withBody(body)
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("req-1")
                        .withStage("$default")
                        .withTimeEpoch(Instant.now().toEpochMilli())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(method).withPath(rawPath).withProtocol("HTTP/1.1")
                                .withSourceIp("203.0.113.7").withUserAgent("contract-test").build())
                        .build())
                .build();
    }

    /** REST API, payload 1.0 (Lambda proxy integration). */
    static APIGatewayProxyRequestEvent v1(String method, String path, Map<String, String> headers, String body) {
        Map<String, String> h = new HashMap<>(headers);
        h.putIfAbsent("Host", "abc123.execute-api.eu-west-1.amazonaws.com");
        Map<String, List<String>> multi = new HashMap<>();
        h.forEach((k, v) -> multi.put(k, List.of(v)));
        APIGatewayProxyRequestEvent.ProxyRequestContext ctx = new APIGatewayProxyRequestEvent.ProxyRequestContext()
                .withRequestId("req-1").withStage("prod").withHttpMethod(method).withPath(path)
                .withIdentity(new APIGatewayProxyRequestEvent.RequestIdentity().withSourceIp("203.0.113.7"));
        return new APIGatewayProxyRequestEvent()
                .withHttpMethod(method)
                .withPath(path)
                .withResource("/{proxy+}")
                .withHeaders(h)
                .withMultiValueHeaders(multi)
                .withBody(body)
                .withIsBase64Encoded(false)
                .withRequestContext(ctx);
    }
}
