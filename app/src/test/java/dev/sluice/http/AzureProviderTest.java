package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An azure deployment from a config file: Azure's deployment path, api-version and api-key header. */
class AzureProviderTest {

    @Test
    void chatGoesToTheDeploymentPathWithTheApiVersionAndTheKeyInApiKey(@TempDir Path dir) throws Exception {
        try (FakeRuntime azure = FakeRuntime.vllm()) {
            Path file = dir.resolve("azure.yaml");
            Files.writeString(file, """
                    model_list:
                      - model_name: gpt-4o
                        params:
                          model: azure/my-gpt-4o
                          api_base: http://127.0.0.1:%d
                          api_key: azure-secret
                          api_version: "2024-10-21"
                    """.formatted(azure.port()));
            azure.enqueue(Reply.json("{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
                    + "\"finish_reason\":\"stop\"}]}"));
            try (Gateway gateway = Gateway.builder().env("sluice.config.file", file.toString()).start()) {
                var res = gateway.post("/v1/chat/completions",
                        "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                        "Authorization", "Bearer client-key");
                assertThat(res.statusCode()).isEqualTo(200);
                assertThat(Gateway.json(res).path("choices").path(0).path("message").path("content").asText())
                        .isEqualTo("hi");
                RecordedRequest sent = azure.requests().stream()
                        .filter(r -> r.path().startsWith("/openai/")).findFirst().orElseThrow();
                assertThat(sent.path())
                        .isEqualTo("/openai/deployments/my-gpt-4o/chat/completions?api-version=2024-10-21");
                assertThat(sent.header("api-key")).isEqualTo("azure-secret");
                assertThat(sent.header("authorization")).isNull();
                assertThat(sent.json().path("model").asText()).isEqualTo("my-gpt-4o");
            }
        }
    }
}
