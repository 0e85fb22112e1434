package dev.sluice.http;

import static dev.sluice.testing.OpenAiErrorAssert.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.sluice.testing.Chunks;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.Reply;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * API_KEYS: every API call needs one of the keys, as a bearer token or {@code x-api-key}; probes do not.
 * The client's key never goes upstream; the runtime sees BACKEND_API_KEY or nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AuthenticationTest {
    private static final String CHAT = Chunks.chatRequest(false);
    private static final String OK = "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
            + "\"finish_reason\":\"stop\"}]}";

    private FakeRuntime withBackendKey;
    private FakeRuntime withoutBackendKey;
    private Gateway gateway;
    private Gateway keylessBackendGateway;

    @BeforeAll
    void start() {
        withBackendKey = FakeRuntime.vllm();
        withoutBackendKey = FakeRuntime.vllm();
        gateway = Gateway.in(withBackendKey, "API_KEYS", "k1,k2", "BACKEND_API_KEY", "backend-key");
        keylessBackendGateway = Gateway.in(withoutBackendKey, "API_KEYS", "k1");
    }

    @AfterAll
    void stop() {
        gateway.close();
        keylessBackendGateway.close();
        withBackendKey.close();
        withoutBackendKey.close();
    }

    @BeforeEach
    void reset() {
        withBackendKey.reset();
        withoutBackendKey.reset();
    }

    @Test
    void both_configured_keys_work_with_the_openai_sdk() throws Exception {
        for (String key : new String[] {"k1", "k2"}) {
            withBackendKey.enqueue(Reply.json(OK));
            ChatCompletion c = gateway.openAi(key).chat().completions()
                    .create(ChatCompletionCreateParams.builder().model("m").addUserMessage("hi").build());
            assertThat(c.choices().get(0).message().content()).contains("ok");
        }
        assertThat(withBackendKey.apiRequests()).hasSize(2);
    }

    @Test
    void a_key_in_x_api_key_is_accepted() {
        withBackendKey.enqueue(Reply.json(OK));

        HttpResponse<String> res = gateway.post("/v1/chat/completions", CHAT, "x-api-key", "k2");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo(OK);
    }

    @Test
    void a_wrong_key_is_a_401_invalid_api_key_and_never_reaches_the_runtime() {
        HttpResponse<String> res = gateway.post("/v1/chat/completions", CHAT, "Authorization", "Bearer k3");

        JsonNode error = assertOpenAiError(res, 401);
        assertThat(error.path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(res.body()).doesNotContain("k3");
        assertThat(withBackendKey.apiRequests()).isEmpty();
    }

    @Test
    void a_wrong_key_in_x_api_key_is_rejected_too() {
        JsonNode error = assertOpenAiError(gateway.get("/v1/models", "x-api-key", "K1"), 401);
        assertThat(error.path("code").asText()).isEqualTo("invalid_api_key");
    }

    @Test
    void the_sdk_with_a_wrong_key_raises_unauthorized() {
        assertThatThrownBy(() -> gateway.openAi("nope").models().list())
                .isInstanceOfSatisfying(UnauthorizedException.class,
                        e -> assertThat(e.code()).contains("invalid_api_key"));
    }

    @Test
    void no_key_at_all_is_a_401() {
        JsonNode error = assertOpenAiError(gateway.post("/v1/chat/completions", CHAT), 401);
        assertThat(error.path("message").asText()).containsIgnoringCase("missing API key");
        assertOpenAiError(gateway.get("/v1/models"), 401);
        assertOpenAiError(gateway.post("/v1/embeddings", "{\"model\":\"m\",\"input\":\"x\"}"), 401);
        assertThat(withBackendKey.apiRequests()).isEmpty();
    }

    @Test
    void a_basic_authorization_header_is_not_a_key() {
        assertOpenAiError(gateway.post("/v1/chat/completions", CHAT, "Authorization", "Basic azE6"), 401);
    }

    @Test
    void probes_need_no_key() {
        HttpResponse<String> livez = gateway.get("/livez");
        HttpResponse<String> health = gateway.get("/health");

        assertThat(livez.statusCode()).isEqualTo(200);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(Gateway.json(health).at("/backend/reachable").asBoolean()).isTrue();
        assertThat(health.body()).doesNotContain("backend-key");
    }

    @Test
    void the_client_key_is_never_forwarded_and_the_runtime_sees_the_backend_key() throws Exception {
        withBackendKey.enqueue(Reply.json(OK));
        withBackendKey.enqueue(Reply.json(OK));

        gateway.post("/v1/chat/completions", CHAT, "Authorization", "Bearer k1");
        gateway.post("/v1/chat/completions", CHAT, "x-api-key", "k2");

        for (int i = 0; i < 2; i++) {
            RecordedRequest req = withBackendKey.takeRequest();
            assertThat(req.header("authorization")).isEqualTo("Bearer backend-key");
            assertThat(req.headers()).doesNotContainKey("x-api-key");
            assertThat(req.headers().values()).noneMatch(v -> v.contains("k1") || v.contains("k2"));
        }
    }

    @Test
    void without_a_backend_key_the_runtime_sees_no_authorization_at_all() throws Exception {
        withoutBackendKey.enqueue(Reply.json(OK));

        HttpResponse<String> res = keylessBackendGateway.post("/v1/chat/completions", CHAT, "Authorization",
                "Bearer k1");

        assertThat(res.statusCode()).isEqualTo(200);
        RecordedRequest req = withoutBackendKey.takeRequest();
        assertThat(req.headers()).doesNotContainKey("authorization");
        assertThat(req.headers().values()).noneMatch(v -> v.contains("k1"));
    }

    @Test
    void the_model_list_also_goes_upstream_with_only_the_backend_key() throws Exception {
        HttpResponse<String> res = gateway.get("/v1/models", "Authorization", "Bearer k2");

        assertThat(res.statusCode()).isEqualTo(200);
        RecordedRequest req = withBackendKey.takeRequest();
        assertThat(req.path()).isEqualTo("/v1/models");
        assertThat(req.header("authorization")).isEqualTo("Bearer backend-key");
    }
}
