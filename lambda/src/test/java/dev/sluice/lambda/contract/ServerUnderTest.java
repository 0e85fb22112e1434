package dev.sluice.lambda.contract;

import java.util.Map;

/**
 * One runtime of the gateway, as the contract suite sees it: a request in, a response out. Netty sends real
 * HTTP; the Lambda implementations build API Gateway events and call the handler in process.
 */
public interface ServerUnderTest extends AutoCloseable {

    /**
     * @param headers request headers; names as the client spells them
     * @param body the request body, or null for none
     */
    Response send(String method, String path, Map<String, String> headers, String body);

    @Override
    void close();

    /**
     * @param headers response headers, names in lower case; a repeated header's values joined with ", "
     * @param body the body as text (a base64 body already decoded)
     */
    record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }
}
