package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.Reply;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A YAML config file's pools, retries, fallbacks, request defaults and master key, end to end over HTTP. */
class ConfigFileRoutingTest {
    private static final String CHAT = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    Path dir;
    FakeRuntime a;
    FakeRuntime b;
    FakeRuntime backup;
    Gateway gateway;

    @BeforeEach
    void start() throws IOException {
        a = FakeRuntime.vllm();
        b = FakeRuntime.vllm();
        backup = FakeRuntime.ollama();
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, """
                model_list:
                  - model_name: chat
                    params:
                      model: vllm/served-a
                      api_base: %s
                      temperature: 0.3
                  - model_name: chat
                    params:
                      model: vllm/served-b
                      api_base: %s
                  - model_name: backup
                    params:
                      model: ollama/llama3.2
                      api_base: %s
                general_settings:
                  master_key: ${TEST_MASTER_KEY}
                  num_retries: 1
                  retry_backoff_base: 0.001
                  fallbacks:
                    - chat: [backup]
                """.formatted(a.baseUrl(), b.baseUrl(), backup.baseUrl()));
        gateway = Gateway.builder()
                .env("TEST_MASTER_KEY", "master-secret")
                .env("sluice.config.file", file.toString())
                .start();
    }

    @AfterEach
    void stop() {
        gateway.close();
        a.close();
        b.close();
        backup.close();
    }

    private static String completion(String model) {
        return "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + model + "\",\"choices\":"
                + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}";
    }

    private HttpResponse<String> chat() {
        return gateway.post("/v1/chat/completions", CHAT, "Authorization", "Bearer master-secret");
    }

    @Test
    void requestsAreSpreadOverThePoolAndEachDeploymentGetsItsOwnModelName() throws Exception {
        for (int i = 0; i < 2; i++) {
            a.enqueue(Reply.json(completion("served-a")));
            b.enqueue(Reply.json(completion("served-b")));
        }
        for (int i = 0; i < 4; i++) {
            assertThat(chat().statusCode()).isEqualTo(200);
        }
        assertThat(a.apiRequests()).hasSize(2);
        assertThat(b.apiRequests()).hasSize(2);
        assertThat(a.apiRequests().get(0).json().path("model").asText()).isEqualTo("served-a");
        assertThat(b.apiRequests().get(0).json().path("model").asText()).isEqualTo("served-b");
    }

    @Test
    void aDeploymentsRequestDefaultsAreAddedOnlyWhereTheClientSetNothing() throws Exception {
        a.enqueue(Reply.json(completion("served-a")));
        b.enqueue(Reply.json(completion("served-b")));
        chat();
        gateway.post("/v1/chat/completions", CHAT.replace("}]}", "}],\"temperature\":0.9}"),
                "Authorization", "Bearer master-secret");
        JsonNode first = a.apiRequests().isEmpty() ? null : a.apiRequests().get(0).json();
        JsonNode second = b.apiRequests().isEmpty() ? null : b.apiRequests().get(0).json();
        assertThat(first).isNotNull();
        assertThat(first.path("temperature").asDouble()).isEqualTo(0.3);
        assertThat(second).isNotNull();
        assertThat(second.has("temperature")).isTrue(); // the client's own value reaches the other deployment
        assertThat(second.path("temperature").asDouble()).isEqualTo(0.9);
    }

    @Test
    void aFailingDeploymentIsRetriedOnTheOtherOneAndTheClientSeesOnlySuccess() throws Exception {
        a.enqueue(Reply.error(503, "Loading model", null));
        b.enqueue(Reply.json(completion("served-b")));
        b.enqueue(Reply.error(503, "Loading model", null));
        a.enqueue(Reply.json(completion("served-a")));
        assertThat(chat().statusCode()).isEqualTo(200);
        assertThat(chat().statusCode()).isEqualTo(200);
        assertThat(a.apiRequests().size() + b.apiRequests().size()).isEqualTo(4);
        assertThat(backup.apiRequests()).isEmpty();
    }

    @Test
    void whenTheWholePoolFailsTheFallbackAliasAnswers() throws Exception {
        a.enqueue(Reply.error(500, "boom", null));
        b.enqueue(Reply.error(500, "boom", null));
        backup.enqueue(Reply.json(completion("llama3.2")));
        HttpResponse<String> res = chat();
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(backup.apiRequests()).hasSize(1);
        assertThat(backup.apiRequests().get(0).json().path("model").asText()).isEqualTo("llama3.2");
    }

    @Test
    void whenEverythingFailsTheLastErrorReachesTheClientWithEveryAttemptInAHeader() throws Exception {
        a.enqueue(Reply.error(500, "boom-a", null));
        b.enqueue(Reply.error(500, "boom-b", null));
        backup.enqueue(Reply.error(500, "boom-c", null));
        backup.enqueue(Reply.error(500, "boom-d", null));
        HttpResponse<String> res = chat();
        assertThat(res.statusCode()).isEqualTo(500);
        String message = Gateway.json(res).path("error").path("message").asText();
        assertThat(message).isEqualTo("boom-d");
        assertThat(res.headers().firstValue("x-sluice-attempts")).hasValueSatisfying(v -> assertThat(v)
                .contains("chat#1=500").contains("chat#2=500").contains("backup#1=500").doesNotContain("master-secret"));
    }

    @Test
    void theMasterKeyIsAnApiKeyAndTheModelListShowsTheAliases() {
        HttpResponse<String> denied = gateway.get("/v1/models");
        assertThat(denied.statusCode()).isEqualTo(401);
        HttpResponse<String> res = gateway.get("/v1/models", "Authorization", "Bearer master-secret");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(Gateway.json(res).path("data").findValuesAsText("id")).containsExactly("chat", "backup");
    }
}
