package dev.sluice.lambda;

import dev.sluice.lambda.contract.GatewayContract;
import dev.sluice.lambda.contract.ServerUnderTest;
import java.util.Map;

/** The contract against the Netty server over real HTTP: the reference runtime, no exclusions. */
class NettyContractTest extends GatewayContract {
    @Override
    protected ServerUnderTest start(Map<String, String> env) {
        return new NettyServer(env);
    }
}
