package dev.sluice.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.config.FileConfig;
import dev.sluice.config.GatewayConfig;
import dev.sluice.config.NamedKey;
import dev.sluice.config.RedisSettings;
import dev.sluice.config.env.ConfigLoader;
import dev.sluice.config.file.FileConfigLoader;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.GatewayMetrics;
import dev.sluice.observability.RequestRecord;
import dev.sluice.protocol.ClientDialect;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * A config reload that lands between a request's authentication and the limits gate: the request keeps the named
 * key it authenticated with (its model list and limits), even though the reload removed that key.
 */
class LimitGateReloadTest {
    static final String SECRET = "team-secret-0123456789abcdef0123";

    record Caller(NamedKey key) implements LimitGate.Caller<String> {
        @Override
        public ClientDialect dialect() {
            return ClientDialect.OPENAI;
        }

        @Override
        public Executor loop() {
            return Runnable::run;
        }

        @Override
        public String refuse(GatewayException e) {
            return "refused " + e.status();
        }

        @Override
        public String withHeaders(String response, Map<String, String> headers) {
            return response;
        }
    }

    @Test
    void theKeyARequestAuthenticatedWithStillLimitsItAfterAReloadRemovedIt() {
        GatewayConfig env = ConfigLoader.load(Map.<String, String>of()::get);
        FileConfig file = FileConfigLoader.load("""
                model_list:
                  - {model_name: chat, params: {model: sim/chat}}
                  - {model_name: other, params: {model: sim/other}}
                keys:
                  - {name: team, key: %s, models: [chat]}
                """.formatted(SECRET), name -> null);
        ApiKeyAuthenticator keys = new ApiKeyAuthenticator(List.of(), file.keys());
        LimitGate gate = new LimitGate(new RequestLimits(RedisSettings.none()), keys,
                new GatewayMetrics(new SimpleMeterRegistry(), List.of("chat", "other")), env, file);
        NamedKey team = keys.match(SECRET).key(); // what AuthFilter keeps on the request
        RequestRecord record = new RequestRecord("req_1", "POST", r -> {});
        record.principal("team");

        keys.replaceWith(new ApiKeyAuthenticator(List.of("another-key-0123456789abcdef0123"), List.of()));

        assertThat(gate.admit(new Caller(team), record, "other", () -> {}, null, 0,
                () -> CompletableFuture.completedFuture("dispatched")).join())
                .as("model list of the key the request started with").isEqualTo("refused 403");
        assertThat(gate.admit(new Caller(team), record, "chat", () -> {}, null, 0,
                () -> CompletableFuture.completedFuture("dispatched")).join()).isEqualTo("dispatched");
    }
}
