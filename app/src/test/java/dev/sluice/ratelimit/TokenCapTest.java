package dev.sluice.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import java.io.IOException;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one LAMBDA_MAX_TOKENS rule, on parsed bodies: every spelling of a big number is capped, nothing slips by. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TokenCapTest {
    private final TokenCap cap = new TokenCap(64);

    private static ObjectNode body(String json) throws IOException {
        return (ObjectNode) Json.parse(json);
    }

    private ObjectNode capped(String path, String json) throws IOException {
        ObjectNode b = body(json);
        cap.apply("POST", path, b);
        return b;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "/v1/chat/completions   | max_tokens",
        "/v1/chat/completions   | max_completion_tokens",
        "/v1/completions        | max_tokens",
        "/v1/messages           | max_tokens",
        "/v1/responses          | max_output_tokens",
        "/v1/chat/completions/  | max_tokens",
        "/v1/messages/          | max_tokens",
        "/v1/responses//        | max_output_tokens",
        "//v1//chat/completions | max_tokens",
        "/v1/x/../chat/completions | max_tokens",
        "/v1/chat/completion%73 | max_tokens",
        "/v1/chat/completions?a=1 | max_tokens",
    })
    void every_spelling_of_a_large_value_is_lowered_to_the_cap_on_every_generation_path(String path, String field)
            throws IOException {
        for (String value : new String[] {"1000000", "1e6", "1E+6", "1000000.0", "1e400", "99999999999999999999999",
                "\"1000000\"", "\"1e6\"", "\"1000000.0\"", "65", "64.5"}) {
            JsonNode v = capped(path, "{\"" + field + "\":" + value + ",\"messages\":[]}").get(field);
            assertThat(v.isIntegralNumber()).as("%s=%s on %s: %s", field, value, path, v).isTrue();
            assertThat(v.longValue()).as("%s=%s on %s", field, value, path).isEqualTo(64);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "10.0", "1e1", "\"10\"", "\"10.0\"", "\"1e1\""})
    void a_whole_number_within_the_cap_is_kept_and_written_as_an_integer(String value) throws IOException {
        JsonNode v = capped("/v1/chat/completions", "{\"max_tokens\":" + value + "}").get("max_tokens");
        assertThat(v.isIntegralNumber()).as(v.toString()).isTrue();
        assertThat(v.intValue()).isEqualTo(10);
    }

    @Test
    void an_integer_within_the_cap_leaves_the_body_unchanged() throws IOException {
        ObjectNode b = body("{\"max_tokens\":10,\"messages\":[]}");
        assertThat(cap.apply("POST", "/v1/chat/completions", b)).isFalse();
        assertThat(Json.string(b)).isEqualTo("{\"max_tokens\":10,\"messages\":[]}");
        ObjectNode zero = body("{\"max_tokens\":0}"); // Anthropic's cache pre-warm
        assertThat(cap.apply("POST", "/v1/messages", zero)).isFalse();
    }

    @ParameterizedTest(name = "{0} gets {1}")
    @CsvSource(delimiter = '|', value = {
        "/v1/chat/completions | max_tokens",
        "/v1/completions      | max_tokens",
        "/v1/messages         | max_tokens",
        "/v1/responses        | max_output_tokens",
    })
    void a_request_naming_no_limit_gets_the_cap(String path, String field) throws IOException {
        assertThat(capped(path, "{\"model\":\"m\"}").path(field).intValue()).isEqualTo(64);
        ObjectNode nulled = capped(path, "{\"" + field + "\":null}");
        assertThat(nulled.path(field).intValue()).as("null is no limit").isEqualTo(64);
    }

    @Test
    void a_chat_request_naming_max_completion_tokens_is_not_given_max_tokens_too() throws IOException {
        ObjectNode b = capped("/v1/chat/completions", "{\"max_completion_tokens\":9000,\"max_tokens\":null}");
        assertThat(b.path("max_completion_tokens").intValue()).isEqualTo(64);
        assertThat(b.has("max_tokens")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-1", "-1e6", "\"-1\"", "2.5", "\"2.5\"", "\"lots\"", "\"\"", "\" 100\"", "\"0x10\"",
        "\"Infinity\"", "\"NaN\"", "true", "[100]", "{\"n\":100}"})
    void anything_but_a_number_of_tokens_is_a_400_naming_the_field(String value) throws IOException {
        for (String[] pf : new String[][] {{"/v1/chat/completions", "max_completion_tokens"},
                {"/v1/messages", "max_tokens"}, {"/v1/responses/", "max_output_tokens"}}) {
            ObjectNode b = body("{\"" + pf[1] + "\":" + value + "}");
            assertThatThrownBy(() -> cap.apply("POST", pf[0], b)).as("%s=%s", pf[1], value)
                    .isInstanceOfSatisfying(GatewayException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.param()).isEqualTo(pf[1]);
                        assertThat(e.getMessage()).startsWith(pf[1] + " must be");
                    });
        }
    }

    @Test
    void other_requests_are_left_alone() throws IOException {
        for (String path : new String[] {"/v1/embeddings", "/v1/messages/count_tokens", "/v1/models", "/livez"}) {
            ObjectNode b = body("{\"max_tokens\":\"lots\",\"input\":\"x\"}");
            assertThat(cap.apply("POST", path, b)).as(path).isFalse();
            assertThat(b.path("max_tokens").asText()).isEqualTo("lots");
        }
        ObjectNode get = body("{\"max_tokens\":100000}");
        assertThat(cap.apply("GET", "/v1/chat/completions", get)).isFalse();
    }

    @Test
    void the_variable_is_read_with_a_message_naming_it() {
        assertThat(TokenCap.fromVariable("LAMBDA_MAX_TOKENS", null, 4096).max()).isEqualTo(4096);
        assertThat(TokenCap.fromVariable("LAMBDA_MAX_TOKENS", " 64 ", 4096).max()).isEqualTo(64);
        assertThatThrownBy(() -> TokenCap.fromVariable("LAMBDA_MAX_TOKENS", "lots", 4096))
                .hasMessage("LAMBDA_MAX_TOKENS=lots is not a whole number (expected e.g. 4096)");
        assertThatThrownBy(() -> TokenCap.fromVariable("LAMBDA_MAX_TOKENS", "0", 4096))
                .hasMessage("LAMBDA_MAX_TOKENS=0 must be at least 1");
    }
}
