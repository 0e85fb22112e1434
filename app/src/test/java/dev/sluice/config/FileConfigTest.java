package dev.sluice.config;

import dev.sluice.backend.BackendKind;
import dev.sluice.backend.Provider;
import dev.sluice.config.env.ConfigLoaderTest;
import dev.sluice.config.file.FileConfigLoader;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FileConfigTest {

    @Test
    void fromEnvIsOneImplicitDeployment() {
        GatewayConfig vllm = ConfigLoaderTest.load("BACKEND_KIND", "vllm", "MODEL_NAME", "qwen",
                "BACKEND_API_KEY", "bk", "BACKEND_BASE_URL", "http://gpu:9000/v1");
        FileConfig c = FileConfig.fromEnv(vllm);

        assertThat(c.deployments()).singleElement().satisfies(d -> {
            assertThat(d.id()).isEqualTo("qwen#1");
            assertThat(d.alias()).isEqualTo("qwen");
            assertThat(d.provider()).isEqualTo(Provider.VLLM);
            assertThat(d.upstreamModel()).isEqualTo("qwen");
            assertThat(d.apiBase()).isEqualTo(URI.create("http://gpu:9000/v1"));
            assertThat(d.apiKey()).isEqualTo("bk");
            assertThat(d.weight()).isEqualTo(1);
        });
        assertThat(c.general()).isEqualTo(GeneralSettings.defaults());

        FileConfig any = FileConfig.fromEnv(ConfigLoaderTest.load("BACKEND_KIND", "ollama"));
        assertThat(any.aliases()).containsExactly(FileConfig.ANY_MODEL);
        assertThat(any.deployments().getFirst().upstreamModel()).as("the client's name is forwarded").isNull();
        assertThat(any.deployments().getFirst().apiKey()).isNull();
        assertThat(any.deployments().getFirst().apiBase()).isEqualTo(URI.create("http://127.0.0.1:11434/v1"));

        FileConfig sim = FileConfig.fromEnv(ConfigLoaderTest.load());
        assertThat(sim.deployments().getFirst().provider()).isEqualTo(Provider.SIM);
        assertThat(sim.aliases()).containsExactly("sim");
        for (BackendKind kind : BackendKind.values()) {
            assertThat(FileConfig.provider(kind).backendKind()).isEqualTo(kind);
        }
    }

    @Test
    void poolsKeepFileOrderAndTheSummaryCountsThem() {
        Deployment a1 = deployment("a#1", "a");
        Deployment b1 = deployment("b#1", "b");
        Deployment a2 = deployment("a#2", "a");
        FileConfig c = new FileConfig(List.of(a1, b1, a2), GeneralSettings.defaults());

        assertThat(c.pools()).containsExactly(Map.entry("a", List.of(a1, a2)), Map.entry("b", List.of(b1)));
        assertThat(c.aliases()).containsExactly("a", "b");
        assertThat(c.summary()).isEqualTo("3 deployments in 2 pools, fallbacks: none");
    }

    @Test
    void theCompleteExampleInTheDocsIsValid() throws Exception {
        Path doc = Files.exists(Path.of("docs/CONFIG-FILE.md")) ? Path.of("docs/CONFIG-FILE.md")
                : Path.of("../docs/CONFIG-FILE.md");
        String text = Files.readString(doc);
        int start = text.indexOf("```yaml\n") + "```yaml\n".length();
        String yaml = text.substring(start, text.indexOf("```", start));
        Map<String, String> env = Map.of("VLLM_API_KEY", "v", "OPENAI_API_KEY", "o", "AZURE_API_KEY", "a",
                "SLUICE_MASTER_KEY", "m-0123456789abcdef0123456789abcdef"); // long: no short-key warning

        FileConfigLoader.Result r = FileConfigLoader.check(yaml, env::get);

        assertThat(r.errors()).isEmpty();
        assertThat(r.warnings()).isEmpty();
        assertThat(r.config().summary()).isEqualTo("5 deployments in 4 pools, fallbacks: llama -> llama-small,"
                + " gpt-4o-mini; gpt-4o -> gpt-4o-mini");
        assertThat(r.config().deployments().getFirst().tpm()).isEqualTo(2_000_000);
    }

    private static Deployment deployment(String id, String alias) {
        return new Deployment(id, alias, Provider.SIM, "m", null, null, null, 1, null, null, null, Map.of());
    }
}
