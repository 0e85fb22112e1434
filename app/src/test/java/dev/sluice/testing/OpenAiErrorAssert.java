package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;

/** Checks that a body is the OpenAI error envelope {@code {"error":{"message","type","param","code"}}}. */
public final class OpenAiErrorAssert {
    private OpenAiErrorAssert() {}

    /** Asserts status, JSON content type and envelope shape, and that nothing internal leaks; returns {@code error}. */
    public static JsonNode assertOpenAiError(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).get().asString().startsWith("application/json");
        return assertEnvelope(response.body());
    }

    public static JsonNode assertEnvelope(String body) {
        assertNoStackTrace(body);
        JsonNode root = Gateway.json(body);
        assertThat(root.size()).as("only 'error' at the top level of %s", body).isEqualTo(1);
        JsonNode error = root.get("error");
        assertThat(error).as("error object in %s", body).isNotNull();
        assertThat(error.isObject()).isTrue();
        assertThat(error.path("message").isTextual()).as("message in %s", body).isTrue();
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("type").isTextual()).as("type in %s", body).isTrue();
        assertThat(error.has("param")).as("param in %s", body).isTrue();
        assertThat(error.has("code")).as("code in %s", body).isTrue();
        assertThat(error.get("code").isTextual() || error.get("code").isNull())
                .as("code is a string or null in %s", body).isTrue();
        return error;
    }

    /** No Java stack frames, exception class names or source positions. */
    public static void assertNoStackTrace(String body) {
        assertThat(body).doesNotContain("\tat ", "at dev.sluice", "at io.micronaut", "at io.netty", ".java:",
                "Exception:", "java.lang.", "Caused by");
    }
}
