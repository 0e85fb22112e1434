package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The checker must catch each broken rule, or the transcript and integration tests prove nothing. */
class AnthropicStreamInvariantsTest {
    private static final String START = frame("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"m\","
            + "\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}");
    private static final String TEXT0 = frame("content_block_start",
            "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    private static final String DELTA0 = frame("content_block_delta",
            "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}");
    private static final String STOP0 = frame("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
    private static final String MDELTA = frame("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
            + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":1}}");
    private static final String MSTOP = frame("message_stop", "{\"type\":\"message_stop\"}");
    private static final String ERROR = frame("error", "{\"type\":\"error\",\"error\":{\"type\":\"api_error\","
            + "\"message\":\"x\"}}");

    private static String frame(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    @Test
    void acceptsACanonicalTextStream() {
        var events = AnthropicStreamInvariants.parse(START + TEXT0 + DELTA0 + STOP0 + MDELTA + MSTOP);
        assertThat(AnthropicStreamInvariants.violations(events)).isEmpty();
    }

    @Test
    void acceptsAStreamThatEndsWithAnErrorEvent() {
        var events = AnthropicStreamInvariants.parse(START + TEXT0 + DELTA0 + STOP0 + ERROR);
        assertThat(AnthropicStreamInvariants.violations(events)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no message_start first            | TEXT0 DELTA0 STOP0 MDELTA MSTOP          | first event is
            two message_start events          | START START MDELTA MSTOP                 | second message_start
            block never stopped               | START TEXT0 DELTA0 MDELTA MSTOP          | has 0 content_block_stop
            delta after its block stopped     | START TEXT0 STOP0 DELTA0 MDELTA MSTOP    | already stopped
            message_stop without message_delta| START TEXT0 STOP0 MSTOP                  | without a message_delta
            event after message_stop          | START MDELTA MSTOP TEXT0                 | event after message_stop
            message_stop after an error       | START ERROR MSTOP                        | event after error
            no terminal event                 | START TEXT0 DELTA0 STOP0                 | ends without
            two message_delta events          | START MDELTA MDELTA MSTOP                | 2 message_delta
            """)
    void reportsABrokenRule(String rule, String sequence, String expected) {
        StringBuilder sse = new StringBuilder();
        for (String part : sequence.trim().split("\\s+")) {
            sse.append(switch (part) {
                case "START" -> START;
                case "TEXT0" -> TEXT0;
                case "DELTA0" -> DELTA0;
                case "STOP0" -> STOP0;
                case "MDELTA" -> MDELTA;
                case "MSTOP" -> MSTOP;
                case "ERROR" -> ERROR;
                default -> throw new IllegalArgumentException(part);
            });
        }
        var events = AnthropicStreamInvariants.parse(sse.toString());
        assertThat(AnthropicStreamInvariants.violations(events)).as(rule).anyMatch(v -> v.contains(expected.trim()));
        assertThatThrownBy(() -> AnthropicStreamInvariants.check(events)).isInstanceOf(AssertionError.class);
    }

    @Test
    void reportsAThinkingDeltaInsideATextBlockAndABlockIndexGap() {
        String thinkingInText = frame("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"x\"}}");
        String text2 = frame("content_block_start",
                "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
        String stop2 = frame("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":2}");
        var events = AnthropicStreamInvariants.parse(START + TEXT0 + thinkingInText + STOP0 + text2 + stop2 + MDELTA
                + MSTOP);
        List<String> v = AnthropicStreamInvariants.violations(events);
        assertThat(v).anyMatch(s -> s.contains("thinking_delta inside a text block"));
        assertThat(v).anyMatch(s -> s.contains("index 2 but the next index is 1"));
    }

    @Test
    void reportsToolArgumentsThatAreNotJsonUnlessTheTurnHitMaxTokens() {
        String tool = frame("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"f\",\"input\":{}}}");
        String args = frame("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\": \"}}");
        String maxTokens = MDELTA.replace("end_turn", "max_tokens");
        assertThat(AnthropicStreamInvariants.violations(AnthropicStreamInvariants.parse(
                START + tool + args + STOP0 + MDELTA + MSTOP))).anyMatch(s -> s.contains("not valid JSON"));
        assertThat(AnthropicStreamInvariants.violations(AnthropicStreamInvariants.parse(
                START + tool + args + STOP0 + maxTokens + MSTOP))).isEmpty();
    }
}
