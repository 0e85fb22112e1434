package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** /readyz and /health probe each runtime on its own health path (protocols.md §4.1) and report what they saw. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RuntimeHealthProbeTest {

    static Stream<Arguments> runtimes() {
        return Stream.of(
                Arguments.of(FakeRuntime.Dialect.VLLM, "/health"),
                Arguments.of(FakeRuntime.Dialect.OLLAMA, "/api/version"),
                Arguments.of(FakeRuntime.Dialect.LLAMACPP, "/health"),
                Arguments.of(FakeRuntime.Dialect.TGI, "/health"),
                Arguments.of(FakeRuntime.Dialect.LOCALAI, "/readyz"));
    }

    @ParameterizedTest(name = "{0} is probed on {1}")
    @MethodSource("runtimes")
    void readiness_probes_the_runtime_on_its_own_health_path(FakeRuntime.Dialect dialect, String healthPath)
            throws Exception {
        try (FakeRuntime fake = FakeRuntime.of(dialect); Gateway gateway = Gateway.in(fake, "API_KEYS", "k1")) {
            HttpResponse<String> res = gateway.get("/readyz");

            assertThat(res.statusCode()).isEqualTo(200);
            RecordedRequest probe = fake.takeRequest();
            assertThat(probe.method()).isEqualTo("GET");
            assertThat(probe.path()).isEqualTo(healthPath);
            assertThat(probe.headers()).doesNotContainKey("authorization");
        }
    }

    @Test
    void a_llamacpp_still_loading_its_model_is_not_ready_and_health_says_degraded() throws Exception {
        try (FakeRuntime fake = FakeRuntime.llamacpp(); Gateway gateway = Gateway.in(fake)) {
            fake.enqueue("/health", Reply.json(503,
                    "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}"));

            HttpResponse<String> ready = gateway.get("/readyz");
            HttpResponse<String> health = gateway.get("/health");

            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(Gateway.json(health).path("status").asText()).isEqualTo("degraded");
            assertThat(Gateway.json(health).at("/backend/reachable").asBoolean()).isFalse();
            assertThat(Gateway.json(health).at("/backend/kind").asText()).isEqualTo("llamacpp");
            assertThat(gateway.get("/livez").statusCode()).as("liveness does not depend on the runtime").isEqualTo(200);
        }
    }

    @Test
    void the_backend_key_goes_with_the_probe() throws Exception {
        try (FakeRuntime fake = FakeRuntime.vllm(); Gateway gateway = Gateway.in(fake, "BACKEND_API_KEY", "bk")) {
            gateway.get("/readyz");

            List<RecordedRequest> seen = fake.requests();
            assertThat(seen).isNotEmpty();
            assertThat(seen.get(0).header("authorization")).isEqualTo("Bearer bk");
        }
    }
}
