package dev.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.anthropic.AnthropicErrors;
import dev.sluice.protocol.openai.OpenAiErrors;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Upstream errors against protocols.md §3.10 and §1.10 (issue 12, defect 9). */
class UpstreamErrorMappingTest {
    private static GatewayException anthropic(int status, String type, String message) {
        return UpstreamErrors.from(status, ("{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\""
                + message + "\"}}").getBytes(StandardCharsets.UTF_8), Map.of(), null);
    }

    /** Status and type an Anthropic client sees, and whether the SDKs (x-should-retry) try again. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "413, request_too_large,     413, request_too_large,     false",
            "402, billing_error,         402, billing_error,         false",
            "403, permission_error,      403, permission_error,      false",
            "404, not_found_error,       404, not_found_error,       false",
            "408, timeout_error,         408, timeout_error,         true",
            "409, invalid_request_error, 409, invalid_request_error, true",
            "429, rate_limit_error,      429, rate_limit_error,      true",
            "500, api_error,             500, api_error,             true",
            "529, overloaded_error,      529, overloaded_error,      true"})
    void defect9_theRealApisErrorsKeepTheirTypeForAnthropicClients(int status, String type, int clientStatus,
            String clientType, boolean retryable) {
        GatewayException e = anthropic(status, type, "m");

        assertThat(AnthropicErrors.status(e)).isEqualTo(clientStatus);
        assertThat(AnthropicErrors.type(e.kind())).isEqualTo(clientType);
        assertThat(e.retryable()).isEqualTo(retryable);
        assertThat(e.getMessage()).isEqualTo("m");
    }

    @Test
    void defect9_a403IsAPermissionErrorNotARetried502() {
        GatewayException e = anthropic(403, "permission_error", "no access to claude-opus-4");

        assertThat(e.kind()).isEqualTo(ErrorKind.PERMISSION);
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.retryable()).isFalse();
        assertThat(OpenAiErrors.type(e.kind())).isEqualTo("permission_error");
    }

    @Test
    void defect9_aRuntimes501IsNotRetryable() {
        GatewayException e = UpstreamErrors.from(501, """
                {"error":{"code":501,"message":"This server does not support embeddings.","type":"not_supported_error"}}"""
                .getBytes(StandardCharsets.UTF_8), Map.of(), null);

        assertThat(e.kind()).isEqualTo(ErrorKind.NOT_SUPPORTED);
        assertThat(e.status()).isEqualTo(501);
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void defect9_408And409KeepTheirRetryability() {
        GatewayException timeout = UpstreamErrors.from(408, "{\"error\":{\"message\":\"timeout\"}}"
                .getBytes(StandardCharsets.UTF_8), Map.of(), null);
        GatewayException conflict = UpstreamErrors.from(409, "{\"error\":{\"message\":\"conflict\"}}"
                .getBytes(StandardCharsets.UTF_8), Map.of(), null);

        assertThat(timeout.status()).isEqualTo(408);
        assertThat(timeout.retryable()).isTrue();
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.retryable()).isTrue();
    }

    @Test
    void defect9_tgisOverloaded429IsOverloaded() {
        GatewayException e = UpstreamErrors.from(429, "{\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}"
                .getBytes(StandardCharsets.UTF_8), Map.of(), null);

        assertThat(e.kind()).isEqualTo(ErrorKind.OVERLOADED);
        assertThat(AnthropicErrors.status(e)).isEqualTo(529);
        assertThat(AnthropicErrors.type(e.kind())).isEqualTo("overloaded_error");
        assertThat(e.headers()).containsKey("Retry-After");
    }

    @Test
    void defect9_theUpstreamParamIsKept() {
        GatewayException e = UpstreamErrors.from(400, """
                {"error":{"message":"Invalid value for 'tool_choice'.","type":"invalid_request_error",\
                "param":"tool_choice","code":"invalid_value"}}""".getBytes(StandardCharsets.UTF_8), Map.of(), null);

        assertThat(e.param()).isEqualTo("tool_choice");
        assertThat(OpenAiErrors.envelope(e).at("/error/param").asText()).isEqualTo("tool_choice");
    }

    @Test
    void defect9_a500ThatMentionsTheContextLengthIsNotA400() {
        GatewayException e = UpstreamErrors.from(500, """
                {"error":{"message":"CUDA error while extending the context length cache","type":"InternalServerError",\
                "code":500}}""".getBytes(StandardCharsets.UTF_8), Map.of(), null);

        assertThat(e.kind()).isEqualTo(ErrorKind.API_ERROR);
        assertThat(e.status()).isEqualTo(500);
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void defect9_theRealApisRequestIdAndRetryAdvicePassThrough() {
        GatewayException e = UpstreamErrors.from(529, ("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                + "\"message\":\"Overloaded\"}}").getBytes(StandardCharsets.UTF_8),
                Map.of("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy", "x-should-retry", "false"), null);

        assertThat(e.headers()).containsEntry("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy")
                .containsEntry("x-should-retry", "false");
    }

    @Test
    void anAnthropicErrorEventInAStreamKeepsItsType() {
        var chunk = Json.tryParse("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");

        assertThat(UpstreamErrors.inBandStatus(chunk)).isEqualTo(529);
    }
}
