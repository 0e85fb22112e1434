package dev.sluice.backend;

import dev.sluice.protocol.UpstreamErrors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Context overflows reach clients in the real Anthropic API's two wordings (protocols.md §1.10, §5.4 #40):
 * Claude Code compacts on {@code prompt is too long: N tokens > M maximum} and lowers max_tokens on
 * {@code input length and `max_tokens` exceed context limit: A + B > M}, so the right one must be chosen. The
 * runtime's own message follows in parentheses.
 */
class UpstreamContextOverflowWordingTest {

    private static GatewayException vllm(String message) {
        String body = "{\"error\":{\"message\":\"" + message.replace("\"", "\\\"") + "\",\"type\":\"BadRequestError\","
                + "\"param\":null,\"code\":400}}";
        return UpstreamErrors.from(400, body.getBytes(StandardCharsets.UTF_8), Map.of(), "");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            old vLLM, prompt alone too long | This model's maximum context length is 4096 tokens. However, you requested 5100 tokens (5000 in the messages, 100 in the completion). Please reduce the length of the messages or completion. | prompt is too long: 5000 tokens > 4096 maximum
            old vLLM, max_tokens too large  | This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion. | input length and `max_tokens` exceed context limit: 4000 + 1000 > 4096, decrease input length or max_tokens and try again
            new vLLM, max_tokens too large  | 'max_tokens' or 'max_completion_tokens' is too large: 8000. This model's maximum context length is 4096 tokens and your request has 2778 input tokens (8000 > 4096 - 2778). None | input length and `max_tokens` exceed context limit: 2778 + 8000 > 4096, decrease input length or max_tokens and try again
            new vLLM, prompt alone too long | This model's maximum context length is 4096 tokens. However, your request has 5000 input tokens. Please reduce the length of the input messages. | prompt is too long: 5000 tokens > 4096 maximum
            """)
    void vllmOverflowGetsTheWordingForWhatDidNotFit(String runtime, String message, String expected) {
        GatewayException e = vllm(message);
        assertThat(e.kind()).as(runtime).isEqualTo(ErrorKind.CONTEXT_LENGTH);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("context_length_exceeded");
        assertThat(e.getMessage()).as(runtime).startsWith(expected + " (").contains(message);
    }

    @Test
    void llamaCppOverflowUsesItsTokenCounts() {
        GatewayException e = UpstreamErrors.from(400, """
                {"error":{"code":400,"message":"the request exceeds the available context size, try increasing it",
                 "type":"exceed_context_size_error","n_prompt_tokens":9000,"n_ctx":8192}}"""
                .getBytes(StandardCharsets.UTF_8), Map.of(), "");
        assertThat(e.kind()).isEqualTo(ErrorKind.CONTEXT_LENGTH);
        assertThat(e.getMessage()).startsWith("prompt is too long: 9000 tokens > 8192 maximum (")
                .contains("exceeds the available context size");
    }

    @Test
    void overflowWithoutTokenCountsStillStartsWithPromptIsTooLongAndKeepsTheRuntimesWords() {
        GatewayException recorded = UpstreamErrors.from(400, Fixtures.bytes("vllm/chat-error-400-context-length.json"),
                Map.of(), "");
        assertThat(recorded.getMessage()).startsWith("prompt is too long: ")
                .contains("the model's context length is only 4096 tokens");
        GatewayException tgi = UpstreamErrors.from(422, """
                {"error":"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 1000 `max_new_tokens`","error_type":"validation"}"""
                .getBytes(StandardCharsets.UTF_8), Map.of(), "");
        assertThat(tgi.kind()).isEqualTo(ErrorKind.CONTEXT_LENGTH);
        assertThat(tgi.getMessage()).startsWith("prompt is too long: Input validation error");
    }
}
