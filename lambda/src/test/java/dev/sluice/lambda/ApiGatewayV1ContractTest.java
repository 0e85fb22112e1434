package dev.sluice.lambda;

import dev.sluice.lambda.contract.GatewayContract;
import dev.sluice.lambda.contract.ServerUnderTest;
import java.util.Map;

/** The contract through {@link ApiGatewayV1Handler} (REST API events, payload 1.0). */
class ApiGatewayV1ContractTest extends GatewayContract {
    /**
     * Exclusions, test method name to reason. None at present: MAX_REQUEST_BYTES (which Netty enforces itself)
     * is enforced by the handler, and SSE bodies are framed by the gateway, so the proxy buffers them intact.
     */
    static final Map<String, String> EXCLUDED = Map.of();

    @Override
    protected ServerUnderTest start(Map<String, String> env) {
        return new LambdaServers.V1(env);
    }

    @Override
    protected Map<String, String> exclusions() {
        return EXCLUDED;
    }
}
