package dev.sluice.protocol.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import com.openai.models.responses.ResponseStreamEvent;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The wire types: frames, payload shapes the SDKs accept, and the error mapping (responses-api.md §4, §7). */
class ResponsesStreamEventTest {

    @Test
    void anEventIsOneFrameWithItsTypeOnTheEventLineAndInTheData() {
        String frame = new String(new ResponsesStreamEvent.OutputTextDelta(4, "msg_1", 0, 0, "Hel").encode(),
                StandardCharsets.UTF_8);
        assertThat(frame).isEqualTo("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
                + "\"sequence_number\":4,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hel\","
                + "\"logprobs\":[]}\n\n");
    }

    @Test
    void theErrorEventHasNoTopLevelErrorKeyAndTheSdkReadsIt() throws Exception {
        ResponsesStreamEvent.Error e = new ResponsesStreamEvent.Error(9, "server_error", "boom", null);
        assertThat(e.data().has("error")).as("openai-python and openai-java raise on a top-level error key").isFalse();
        ResponseStreamEvent parsed = ObjectMappers.jsonMapper().readValue(Json.string(e.data()),
                ResponseStreamEvent.class).validate();
        assertThat(parsed.error().orElseThrow().message()).isEqualTo("boom");
        assertThat(parsed.error().orElseThrow().code()).contains("server_error");
    }

    @Test
    void everyItemAndPartShapeParsesWithTheSdk() throws Exception {
        List<ResponsesStreamEvent> events = List.of(
                new ResponsesStreamEvent.OutputItemAdded(0, 0, new ResponsesOutputItem.Message("msg_1", "in_progress",
                        List.of(new ResponsesContentPart.OutputText("a"), new ResponsesContentPart.Refusal("b")))),
                new ResponsesStreamEvent.OutputItemDone(1, 1, new ResponsesOutputItem.FunctionCall("fc_1", "completed",
                        "call_1", "spawn_agent", "multi_agent_v1", "{}")),
                new ResponsesStreamEvent.OutputItemDone(2, 2, new ResponsesOutputItem.CustomToolCall("ctc_1", "call_2",
                        "apply_patch", null, "*** Begin Patch")),
                new ResponsesStreamEvent.OutputItemDone(3, 3, new ResponsesOutputItem.Reasoning("rs_1", "completed",
                        List.of("s"), List.of("r"))),
                new ResponsesStreamEvent.ContentPartAdded(4, "rs_1", 3, 0, new ResponsesContentPart.ReasoningText("")),
                new ResponsesStreamEvent.ReasoningSummaryPartAdded(5, "rs_1", 3, 0, ""),
                new ResponsesStreamEvent.ReasoningSummaryTextDone(6, "rs_1", 3, 0, "s"),
                new ResponsesStreamEvent.RefusalDone(7, "msg_1", 0, 1, "b"),
                new ResponsesStreamEvent.CustomToolCallInputDone(8, "ctc_1", 2, "x"),
                new ResponsesStreamEvent.FunctionCallArgumentsDone(9, "fc_1", 1, "spawn_agent", "{}"));
        for (ResponsesStreamEvent e : events) {
            ResponseStreamEvent parsed = ObjectMappers.jsonMapper().readValue(Json.string(e.data()),
                    ResponseStreamEvent.class).validate();
            assertThat(Json.tryParse(ObjectMappers.jsonMapper().writeValueAsString(parsed)).get("type").asText())
                    .isEqualTo(e.type());
        }
    }

    @Test
    void anUnknownEventKeepsItsRawJson() {
        JsonNode raw = Json.tryParse("{\"type\":\"response.rate_limits.updated\",\"sequence_number\":3,\"x\":[1]}");
        ResponsesStreamEvent.Unknown u = ResponsesStreamEvent.Unknown.of(raw);
        assertThat(u.type()).isEqualTo("response.rate_limits.updated");
        assertThat(u.sequenceNumber()).isEqualTo(3);
        assertThat(u.data()).isEqualTo(raw);
        assertThat(new String(u.encode(), StandardCharsets.UTF_8)).startsWith("event: response.rate_limits.updated\n");
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({"CONTEXT_LENGTH, context_length_exceeded", "RATE_LIMITED, rate_limit_exceeded",
        "OVERLOADED, server_is_overloaded", "INVALID_REQUEST, invalid_prompt", "API_ERROR, server_error",
        "BAD_GATEWAY, server_error", "TIMEOUT, server_error"})
    void aFailureMapsToTheCodeCodexDispatchesOn(ErrorKind kind, String code) {
        assertThat(ResponsesErrors.responseError(GatewayException.of(kind, "m")).get("code").asText()).isEqualTo(code);
    }

    @Test
    void theStoreErrorsSayWhatToDoAndCarryTheirCodes() {
        GatewayException previous = ResponsesErrors.previousResponseNotFound("resp_x");
        assertThat(ResponsesErrors.envelope(previous)).isEqualTo(Json.tryParse("""
                {"error":{"message":"Previous response with id 'resp_x' not found. It may have expired or been stored\
                 with store:false; send the whole conversation in input instead.","type":"invalid_request_error",\
                "param":"previous_response_id","code":"previous_response_not_found"}}"""));
        assertThat(ResponsesErrors.responseNotFound("resp_y").status()).isEqualTo(404);
        GatewayException upgrade = ResponsesErrors.upgradeRequired();
        assertThat(upgrade.status()).isEqualTo(426);
        assertThat(ResponsesErrors.envelope(upgrade).at("/error/code").asText()).isEqualTo("upgrade_required");
    }

    @Test
    void usageIsAlwaysCompleteEvenWhenTheBackendLeavesOutTheDetails() {
        JsonNode u = Json.tryParse(Json.string(new ResponsesUsage(10, 0, 5, 0, 15, false).toJson()));
        assertThat(u).isEqualTo(Json.tryParse("""
                {"input_tokens":10,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":0},"output_tokens":5,
                 "output_tokens_details":{"reasoning_tokens":0},"total_tokens":15}"""));
        ResponsesUsage fromOllama = ResponsesUsage.fromChat(Json.tryParse("""
                {"prompt_tokens":161,"completion_tokens":14,"completion_tokens_details":null,"prompt_tokens_details":null}"""),
                1, 1, 0);
        assertThat(fromOllama).isEqualTo(new ResponsesUsage(161, 0, 14, 0, 175, false));
    }

    @org.junit.jupiter.api.Test
    void theDeltaEventsWrittenStraightToBytesSayExactlyWhatTheirTreesSay() {
        String nasty = "quote \" backslash \\ newline \n tab \t unicode \u00e9 \u2028 emoji \ud83d\ude00 ctl \u0001";
        java.util.List<ResponsesStreamEvent> events = java.util.List.of(
                new ResponsesStreamEvent.OutputTextDelta(7, "msg_\"x", 1, 2, nasty),
                new ResponsesStreamEvent.RefusalDelta(8, "msg_1", 0, 0, nasty),
                new ResponsesStreamEvent.FunctionCallArgumentsDelta(9, "fc_1", 3, "{\"a\":\"" + nasty + "\"}"),
                new ResponsesStreamEvent.ReasoningSummaryTextDelta(10, "rs_1", 0, 1, nasty));
        for (ResponsesStreamEvent e : events) {
            String text = new String(e.encode(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(text).startsWith("event: " + e.type() + "\ndata: ").endsWith("\n\n");
            String data = text.substring(text.indexOf("data: ") + 6, text.length() - 2);
            assertThat(Json.tryParse(data)).as(e.type()).isEqualTo(Json.tryParse(Json.string(e.data())));
        }
    }
}
