package dev.sluice.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.sse.SseEvent;
import dev.sluice.translate.OpenAiPassthroughStream;
import dev.sluice.translate.OpenAiToAnthropicRequest;
import dev.sluice.translate.ResponsesOptions;
import dev.sluice.translate.ResponsesToOpenAiRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the fuzz runs found (docs/FUZZING.md), each as a named regression test; the raw inputs also run as
 * Jazzer regression inputs (TranslatorsFuzzTestInputs).
 */
class FuzzFindingsTest {
    private static SseEvent event(String data) {
        return new SseEvent(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8), null, data);
    }

    private static String run(OpenAiPassthroughStream t, String... data) {
        List<byte[]> out = new ArrayList<>();
        for (String d : data) {
            t.onEvent(event(d), out);
        }
        t.onEnd(out);
        StringBuilder sb = new StringBuilder();
        out.forEach(b -> sb.append(new String(b, StandardCharsets.UTF_8)));
        return sb.toString();
    }

    @Test
    void anUpstreamEventThatIsJsonButNotAnObjectEndsTheStreamWithAnErrorInsteadOfReachingTheSdk() {
        String out = run(new OpenAiPassthroughStream(false, null),
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}",
                "\"{\\\"a\\\":\"",
                "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");

        assertThat(out).contains("\"Hi\"").contains("not JSON").doesNotContain("\\\"a\\\"").doesNotContain("[DONE]");
    }

    @Test
    void anUpstreamErrorThatIsAnArrayIsTheStreamsOneErrorEvent() {
        String out = run(new OpenAiPassthroughStream(false, null),
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}",
                "{\"error\":[1.5]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" more\"},\"finish_reason\":\"stop\"}]}");

        assertThat(out).contains("\"Hi\"").contains("\"error\":{").doesNotContain(" more")
                .doesNotContain("[DONE]");
    }

    @Test
    void anImageDataUriWithACommaBeforeItsSemicolonIsA400NotA500() {
        ObjectNode req = (ObjectNode) Json.tryParse("""
                {"model":"claude","messages":[{"role":"user","content":[
                  {"type":"image_url","image_url":{"url":"data:image/,ng;base64,iVBORw0KGgo="}}]}]}""");

        assertThatThrownBy(() -> OpenAiToAnthropicRequest.translate(req, "claude-sonnet-4-5", "claude"))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void aResponsesInputWithABareStringIsA400NotA500() {
        ObjectNode req = (ObjectNode) Json.tryParse("""
                {"model":"m","input":[{"role":"user","content":"hi"},"world"]}""");

        assertThatThrownBy(() -> ResponsesToOpenAiRequest.translate(req, null, ResponsesOptions.local(), "m"))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("input[1]");
                });
    }
}
