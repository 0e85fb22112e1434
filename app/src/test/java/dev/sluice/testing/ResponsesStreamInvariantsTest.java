package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The invariant checker catches the breakages it exists for, and passes a well-formed stream. */
class ResponsesStreamInvariantsTest {
    private static final String CREATED = """
            event: response.created
            data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress","output":[]}}

            event: response.in_progress
            data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_1","status":"in_progress","output":[]}}

            """;
    private static final String ITEM = """
            event: response.output_item.added
            data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"fc_1","type":"function_call","status":"in_progress","call_id":"c","name":"f","arguments":""}}

            event: response.function_call_arguments.delta
            data: {"type":"response.function_call_arguments.delta","sequence_number":3,"item_id":"fc_1","output_index":0,"delta":"{}"}

            event: response.function_call_arguments.done
            data: {"type":"response.function_call_arguments.done","sequence_number":4,"item_id":"fc_1","output_index":0,"name":"f","arguments":"{}"}

            event: response.output_item.done
            data: {"type":"response.output_item.done","sequence_number":5,"output_index":0,"item":{"id":"fc_1","type":"function_call","status":"completed","call_id":"c","name":"f","arguments":"{}"}}

            """;
    private static final String USAGE = "{\"input_tokens\":1,\"input_tokens_details\":{\"cached_tokens\":0},"
            + "\"output_tokens\":1,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":2}";

    private static String completed(int seq, String output) {
        return "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":" + seq
                + ",\"response\":{\"id\":\"resp_1\",\"status\":\"completed\",\"output\":" + output + ",\"usage\":" + USAGE
                + "}}\n\n";
    }

    private static List<String> violations(String sse) {
        return ResponsesStreamInvariants.violations(ResponsesStreamInvariants.parse(sse.getBytes()));
    }

    private static final String DONE_ITEM = "[{\"id\":\"fc_1\",\"type\":\"function_call\",\"status\":\"completed\","
            + "\"call_id\":\"c\",\"name\":\"f\",\"arguments\":\"{}\"}]";

    @Test
    void aWellFormedStreamHasNoViolations() {
        assertThat(violations(CREATED + ITEM + completed(6, DONE_ITEM))).isEmpty();
    }

    @Test
    void aGapInSequenceNumbersIsCaught() {
        assertThat(violations(CREATED + ITEM + completed(7, DONE_ITEM))).anyMatch(v -> v.contains("sequence_number"));
    }

    @Test
    void anItemNeverDoneIsCaught() {
        String cut = CREATED + ITEM.substring(0, ITEM.indexOf("event: response.output_item.done"));
        assertThat(violations(cut + completed(5, "[]"))).anyMatch(v -> v.contains("never done"));
    }

    @Test
    void deltasThatDoNotAddUpAreCaught() {
        assertThat(violations(CREATED + ITEM.replace("\"delta\":\"{}\"", "\"delta\":\"{\"") + completed(6, DONE_ITEM)))
                .anyMatch(v -> v.contains("add up"));
    }

    @Test
    void aTerminalOutputThatDiffersFromTheDoneItemsIsCaught() {
        assertThat(violations(CREATED + ITEM + completed(6, "[]"))).anyMatch(v -> v.contains("output differs"));
    }

    @Test
    void anythingAfterTheTerminalAndAMissingTerminalAreCaught() {
        String after = CREATED + ITEM + completed(6, DONE_ITEM) + completed(7, DONE_ITEM);
        assertThat(violations(after)).anyMatch(v -> v.contains("after the terminal"));
        assertThat(violations(CREATED + ITEM)).anyMatch(v -> v.contains("no terminal event"));
    }

    @Test
    void aPartialUsageIsCaught() {
        String noTotal = completed(6, DONE_ITEM).replace(",\"total_tokens\":2", "");
        assertThat(violations(CREATED + ITEM + noTotal)).anyMatch(v -> v.contains("total_tokens"));
    }
}
