package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.StreamTranslator;
import dev.sluice.protocol.StreamUsage;
import dev.sluice.protocol.responses.ResponsesErrors;
import dev.sluice.protocol.sse.SseEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Responses client, a deployment that serves the Responses API itself (OpenAI, Azure, a vLLM that says so):
 * every upstream event is forwarded byte for byte. The stream ends with the upstream's terminal event
 * ({@code response.completed}, {@code response.incomplete} or {@code response.failed}); a stream that ends
 * without one, or fails on the way, ends with a {@code response.failed} of the gateway's own, never a
 * clean-looking end (responses-api.md §4.4). Not thread-safe: one instance per response.
 */
public final class ResponsesPassthroughStream implements StreamTranslator {
    private static final byte[] KEEP_ALIVE = SseEvent.comment("keep-alive");

    private final String fallbackId;
    private final String clientModel;
    private String responseId;
    private long lastSequence = -1;
    private boolean terminated;
    private boolean failed;
    private boolean sawContent;
    private long input = -1;
    private long cached;
    private long output;

    /** @param fallbackId the id of the gateway's own {@code response.failed} when the upstream sent none */
    public ResponsesPassthroughStream(String fallbackId, String clientModel) {
        this.fallbackId = fallbackId;
        this.clientModel = clientModel;
    }

    @Override
    public void onEvent(SseEvent event, List<byte[]> out) {
        if (terminated) {
            return;
        }
        if (event.data() == null) {
            out.add(event.raw());
            return;
        }
        JsonNode n = Json.tryParse(event.data());
        if (n == null) {
            fail(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.MALFORMED_RESPONSE,
                    "the backend sent a Responses event that is not JSON"), out);
            return;
        }
        out.add(event.raw());
        lastSequence = Math.max(lastSequence, n.path("sequence_number").asLong(lastSequence));
        String type = n.path("type").asText(event.event() == null ? "" : event.event());
        JsonNode response = n.path("response");
        if (response.isObject() && response.hasNonNull("id")) {
            responseId = response.path("id").asText();
        }
        switch (type) {
            case "response.output_text.delta", "response.function_call_arguments.delta",
                    "response.reasoning_text.delta", "response.reasoning_summary_text.delta" -> sawContent = true;
            case "response.completed", "response.incomplete" -> {
                usage(response.path("usage"));
                terminated = true;
            }
            case "response.failed" -> {
                usage(response.path("usage"));
                terminated = true;
                failed = true;
            }
            default -> {
                // every other event passes as it is
            }
        }
    }

    private void usage(JsonNode u) {
        if (u.isObject()) {
            input = u.path("input_tokens").asLong();
            output = u.path("output_tokens").asLong();
            cached = StreamUsage.cached(u);
        }
    }

    @Override
    public void onEnd(List<byte[]> out) {
        if (!terminated) {
            fail(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.STREAM_TRUNCATED,
                    "the backend stream ended before the response was complete"), out);
        }
    }

    @Override
    public void onError(GatewayException error, List<byte[]> out) {
        if (!terminated) {
            fail(error, out);
        }
    }

    private void fail(GatewayException e, List<byte[]> out) {
        ObjectNode r = Json.object();
        r.put("id", responseId != null ? responseId : fallbackId);
        r.put("object", "response");
        r.put("status", "failed");
        r.put("model", clientModel);
        r.set("error", ResponsesErrors.responseError(e));
        r.putNull("incomplete_details");
        r.putArray("output");
        r.putNull("usage");
        ObjectNode ev = Json.object();
        ev.put("type", "response.failed");
        ev.put("sequence_number", lastSequence + 1);
        ev.set("response", r);
        out.add(("event: response.failed\ndata: " + Json.string(ev) + "\n\n").getBytes(StandardCharsets.UTF_8));
        terminated = true;
        failed = true;
    }

    @Override
    public boolean terminated() {
        return terminated;
    }

    @Override
    public boolean failed() {
        return failed;
    }

    @Override
    public byte[] keepAlive() {
        return KEEP_ALIVE;
    }

    @Override
    public StreamUsage usage() {
        return input < 0 ? StreamUsage.NONE : new StreamUsage(input, output, false, cached);
    }

    @Override
    public boolean sawContent() {
        return sawContent;
    }
}
