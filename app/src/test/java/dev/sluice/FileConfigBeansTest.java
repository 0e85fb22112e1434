package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.env.ConfigLoader;
import dev.sluice.config.FileConfig;
import dev.sluice.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileConfigBeansTest {
    static final GatewayConfig ENV_ONLY = ConfigLoader.load(Map.of("BACKEND_KIND", "ollama", "MODEL_NAME", "llama3.2")::get);

    @TempDir
    Path dir;

    @Test
    void withoutAFileTheBeanIsTheImplicitDeployment() {
        FileConfig c = FileConfigBeans.load(name -> null, name -> null, ENV_ONLY);

        assertThat(c).isEqualTo(FileConfig.fromEnv(ENV_ONLY));
        assertThat(FileConfigBeans.load(Map.of("sluice.config", " ")::get, name -> null, ENV_ONLY))
                .isEqualTo(FileConfig.fromEnv(ENV_ONLY));
    }

    @Test
    void theFileSetByMainWinsOverSluiceConfig() throws Exception {
        Path main = Files.writeString(dir.resolve("main.yaml"),
                "model_list: [{model_name: a, params: {model: vllm/m, api_key: os.environ/K}}]\n");
        Path other = Files.writeString(dir.resolve("other.yaml"), "model_list: [{model_name: b, params: {model: sim/m}}]\n");

        FileConfig fromMain = FileConfigBeans.load(Map.of(FileConfigBeans.FILE_PROPERTY, main.toString(),
                FileConfigBeans.ENV_PROPERTY, other.toString())::get, Map.of("K", "key")::get, ENV_ONLY);
        FileConfig fromEnv = FileConfigBeans.load(Map.of(FileConfigBeans.ENV_PROPERTY, other.toString())::get,
                name -> null, ENV_ONLY);

        assertThat(fromMain.aliases()).containsExactly("a");
        assertThat(fromMain.deployments().getFirst().apiKey()).isEqualTo("key");
        assertThat(fromEnv.aliases()).containsExactly("b");
        assertThatThrownBy(() -> FileConfigBeans.load(Map.of(FileConfigBeans.FILE_PROPERTY, main.toString())::get,
                name -> null, ENV_ONLY)).isInstanceOf(ConfigException.class).hasMessageContaining("K is not set");
    }
}
