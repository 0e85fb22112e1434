package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.env.ConfigLoader;
import dev.sluice.config.file.FileConfigLoader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartupLineTest {
    @Test
    void theSimulatorSaysItIsNotAModelAndAuthIsOff() {
        GatewayConfig sim = ConfigLoader.load(Map.<String, String>of()::get);

        String line = StartupLine.of("1.2.3", "http://127.0.0.1:8000", sim, FileConfig.fromEnv(sim), null);

        assertThat(line).isEqualTo("sluice 1.2.3 listening on http://127.0.0.1:8000 · backend sim — not a model"
                + " · auth off · no config file");
    }

    @Test
    void aRealRuntimeIsNamedWithItsUrlAndKeysTurnAuthOnWithoutBeingPrinted() {
        GatewayConfig vllm = ConfigLoader.load(Map.of("BACKEND_KIND", "vllm", "BACKEND_BASE_URL",
                "http://gpu:8001/v1", "API_KEYS", "k-0123456789abcdef0123")::get);

        String line = StartupLine.of("1.2.3", "http://0.0.0.0:9000", vllm, FileConfig.fromEnv(vllm), null);

        assertThat(line).contains("backend vllm at http://gpu:8001/v1").contains("auth on")
                .doesNotContain("k-0123");
    }

    @Test
    void aConfigFileIsNamedWithItsPoolsAndProviders() {
        GatewayConfig env = ConfigLoader.load(Map.<String, String>of()::get);
        FileConfig file = FileConfigLoader.load("""
                model_list:
                  - {model_name: a, params: {model: vllm/m, api_base: "http://gpu:8001/v1"}}
                  - {model_name: b, params: {model: ollama/m, api_base: "http://cpu:11434/v1"}}
                general_settings: {master_key: sk-master-0123456789abcdef}
                """, n -> null);

        String line = StartupLine.of("1.2.3", "http://127.0.0.1:8000", env, file, Path.of("/etc/sluice.yaml"));

        assertThat(line).contains("backend 2 deployments in 2 pools (vllm, ollama)").contains("auth on")
                .endsWith("config /etc/sluice.yaml");
    }
}
