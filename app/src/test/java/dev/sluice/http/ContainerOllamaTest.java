package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The gateway in front of a real Ollama ({@code BACKEND_KIND=ollama}) serving {@code qwen2.5:0.5b} on CPU.
 * Needs Docker and network (image pull, ~400 MB model pull); skipped without Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerOllamaTest extends ContainerRuntimeChecks {
    static final DockerImageName IMAGE = DockerImageName.parse("ollama/ollama:0.12.6");
    static final String MODEL = "qwen2.5:0.5b";

    private GenericContainer<?> ollama;

    @Override
    @SuppressWarnings("resource")
    void startRuntime() throws Exception {
        ollama = new GenericContainer<>(IMAGE)
                .withExposedPorts(11434)
                .withEnv("OLLAMA_CONTEXT_LENGTH", "4096")
                .withEnv("OLLAMA_KEEP_ALIVE", "30m")
                .waitingFor(Wait.forHttp("/api/version").forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(2)));
        ollama.start();
        ExecResult pull = ollama.execInContainer("ollama", "pull", MODEL);
        assertThat(pull.getExitCode()).as(pull.getStderr()).isZero();
    }

    @Override
    void stopRuntime() {
        if (ollama != null) {
            ollama.stop();
        }
    }

    @Override
    String kind() {
        return "ollama";
    }

    @Override
    String baseUrl() {
        return "http://" + ollama.getHost() + ":" + ollama.getMappedPort(11434) + "/v1";
    }

    @Override
    String model() {
        return MODEL;
    }
}
