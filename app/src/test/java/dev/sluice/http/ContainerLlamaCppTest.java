package dev.sluice.http;

import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The gateway in front of a real llama.cpp {@code llama-server} ({@code BACKEND_KIND=llamacpp}) serving
 * Qwen2.5-0.5B-Instruct Q4_K_M on CPU, downloaded from Hugging Face by the server itself ({@code -hf}) on first
 * start. Launched with {@code --jinja} so the chat template (and tool calling) is the model's own. Needs Docker
 * and network; skipped without Docker. The build is the one the compose {@code llamacpp} profile pinned when this
 * was written (CUDA image there, CPU image here); keep the two together when bumping.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerLlamaCppTest extends ContainerRuntimeChecks {
    static final DockerImageName IMAGE = DockerImageName.parse("ghcr.io/ggml-org/llama.cpp:server-b6795");
    static final String HF_MODEL = "Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M";
    static final String ALIAS = "qwen2.5-0.5b-instruct";

    private GenericContainer<?> server;

    @Override
    @SuppressWarnings("resource")
    void startRuntime() {
        server = new GenericContainer<>(IMAGE)
                .withExposedPorts(8080)
                .withCommand("-hf", HF_MODEL, "-a", ALIAS, "--jinja", "-c", "4096", "--host", "0.0.0.0",
                        "--port", "8080")
                // /health answers 503 "Loading model" until the weights are in memory
                .waitingFor(Wait.forHttp("/health").forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(10)));
        server.start();
    }

    @Override
    void stopRuntime() {
        if (server != null) {
            server.stop();
        }
    }

    @Override
    String kind() {
        return "llamacpp";
    }

    @Override
    String baseUrl() {
        return "http://" + server.getHost() + ":" + server.getMappedPort(8080) + "/v1";
    }

    @Override
    String model() {
        return ALIAS;
    }
}
