package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.ObjectMappers;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseError;
import com.openai.models.responses.ResponseStreamEvent;
import dev.sluice.protocol.Json;
import dev.sluice.testing.ResponsesStreamInvariants;
import dev.sluice.testing.ResponsesStreamInvariants.Event;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * openai-java reads every stream the gateway writes: each event deserializes into its own
 * {@link ResponseStreamEvent} variant and passes {@code validate()}, and the SDK's own {@link ResponseAccumulator}
 * folds the stream into the same final Response the terminal event carries, with the items the
 * {@code output_item.done} events gave.
 */
class ResponsesStreamSdkTest {
    /** Codes Codex dispatches on that openai-java's closed enum lacks (responses-api.md §7). */
    private static final Set<String> CODEX_ONLY_CODES = Set.of("context_length_exceeded", "server_is_overloaded");

    static Stream<String> scenarios() throws Exception {
        return ResponsesTranscripts.scenarios();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void openAiJavaParsesEveryEventAndAccumulatesTheFinalResponse(String scenario) throws Exception {
        List<Event> events = ResponsesStreamInvariants.parseFrames(ResponsesTranscripts.translate(scenario,
                List.of(ResponsesTranscripts.resource(scenario + ".in.sse"))));
        ResponseAccumulator accumulator = ResponseAccumulator.createWithSnapshots();
        long done = 0;
        for (Event e : events) {
            ResponseStreamEvent parsed = sdk(e.data());
            JsonNode back = Json.tryParse(ObjectMappers.jsonMapper().writeValueAsString(parsed));
            assertThat(back.get("type").asText()).isEqualTo(e.name());
            assertThat(back.get("sequence_number").asLong()).isEqualTo(e.data().get("sequence_number").asLong());
            accumulator.accumulate(parsed);
            done += parsed.isOutputItemDone() ? 1 : 0;
            if (parsed.isCreated()) {
                assertThat(accumulator.snapshot()).isPresent();
            }
        }
        Response response = accumulator.response();
        JsonNode terminal = events.get(events.size() - 1).data().get("response");
        assertThat(response.id()).isEqualTo(terminal.get("id").asText());
        assertThat(response.output()).hasSize((int) done);
        assertThat(accumulator.reconstructedResponse().output()).hasSize((int) done);
        assertThat(response.status().orElseThrow().asString()).isEqualTo(terminal.get("status").asText());
        assertThat(response.model().asString()).isEqualTo("qwen");
        response.error().ifPresent(error -> assertThat(error.message()).isNotBlank());
        if (!"failed".equals(terminal.get("status").asText())) {
            assertThat(response.usage().orElseThrow().totalTokens()).isPositive();
        }
    }

    /** The SDK's variant for one event, validated; a Codex-only error code is checked, then validated as server_error. */
    private static ResponseStreamEvent sdk(JsonNode data) throws Exception {
        ResponseStreamEvent event = ObjectMappers.jsonMapper().readValue(Json.string(data), ResponseStreamEvent.class);
        JsonNode code = data.at("/response/error/code");
        if (code.isTextual() && CODEX_ONLY_CODES.contains(code.asText())) {
            assertThat(event.failed().orElseThrow().response().error().orElseThrow().code())
                    .isEqualTo(ResponseError.Code.of(code.asText()));
            ObjectNode copy = data.deepCopy();
            ((ObjectNode) copy.at("/response/error")).put("code", "server_error");
            ObjectMappers.jsonMapper().readValue(Json.string(copy), ResponseStreamEvent.class).validate();
            return event;
        }
        return event.validate();
    }
}
