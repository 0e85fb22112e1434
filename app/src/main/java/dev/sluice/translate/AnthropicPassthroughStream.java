package dev.sluice.translate;

import dev.sluice.protocol.StreamTranslator;
import dev.sluice.protocol.StreamUsage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.anthropic.AnthropicErrors;
import dev.sluice.protocol.anthropic.AnthropicStreamEvent;
import dev.sluice.protocol.sse.SseEvent;
import java.util.List;

/**
 * Anthropic client, real Anthropic deployment: forwards each upstream event byte for byte, except
 * {@code message_start}, whose {@code message.model} is restored to the client's name. An upstream
 * {@code error} event passes as it is and ends the stream; an end before {@code message_stop} becomes an
 * {@code event: error} ({@code api_error}), never a clean-looking end. Not thread-safe: one instance per response.
 */
public final class AnthropicPassthroughStream implements StreamTranslator {
    private final String clientModel;
    private boolean terminated;
    private boolean failed;
    private boolean sawContent;
    private boolean started;
    private boolean usageSeen;
    private long input;
    private long cached;
    private long output;
    private long deltas;

    public AnthropicPassthroughStream(String clientModel) {
        this.clientModel = clientModel;
    }

    @Override
    public void onEvent(SseEvent event, List<byte[]> out) {
        if (terminated) {
            return;
        }
        String data = event.data();
        if (data == null) {
            out.add(event.raw());
            return;
        }
        if (event.hasBlankData()) {
            return;
        }
        String type = event.event();
        if (type == null) {
            JsonNode n = Json.tryParse(data);
            type = n == null ? "" : n.path("type").asText();
        }
        switch (type) {
            case "message_start" -> {
                started = true;
                JsonNode n = Json.tryParse(data);
                if (n instanceof ObjectNode o && o.path("message") instanceof ObjectNode m) {
                    JsonNode u = m.path("usage");
                    if (u.isObject()) {
                        usageSeen = true;
                        input = u.path("input_tokens").asLong() + u.path("cache_read_input_tokens").asLong()
                                + u.path("cache_creation_input_tokens").asLong();
                        output = u.path("output_tokens").asLong();
                        cached = StreamUsage.cached(u);
                    }
                    if (clientModel != null) {
                        m.put("model", clientModel);
                        out.add(SseEvent.encode("message_start", Json.string(o)));
                        return;
                    }
                }
                out.add(event.raw());
            }
            case "content_block_delta" -> {
                sawContent = true;
                deltas++;
                out.add(event.raw());
            }
            case "message_delta" -> {
                JsonNode n = Json.tryParse(data);
                JsonNode u = n == null ? null : n.path("usage");
                if (u != null && u.isObject()) {
                    usageSeen = true;
                    output = u.path("output_tokens").asLong(output);
                }
                out.add(event.raw());
            }
            case "message_stop" -> {
                terminated = true;
                out.add(event.raw());
            }
            case "error" -> {
                terminated = true;
                failed = true;
                out.add(event.raw());
            }
            default -> out.add(event.raw());
        }
    }

    @Override
    public void onEnd(List<byte[]> out) {
        if (!terminated) {
            terminated = true;
            failed = true;
            out.add(new AnthropicStreamEvent.Error("api_error",
                    "the Anthropic backend stream ended before message_stop").encode());
        }
    }

    @Override
    public void onError(GatewayException error, List<byte[]> out) {
        if (!terminated) {
            terminated = true;
            failed = true;
            out.add(new AnthropicStreamEvent.Error(AnthropicErrors.type(error.kind()), error.getMessage()).encode());
        }
    }

    @Override
    public boolean terminated() {
        return terminated;
    }

    @Override
    public boolean failed() {
        return failed;
    }

    /** A ping once the message has started; before that an SSE comment, so message_start still comes first. */
    @Override
    public byte[] keepAlive() {
        return started ? new AnthropicStreamEvent.Ping().encode() : SseEvent.comment("keep-alive");
    }

    @Override
    public StreamUsage usage() {
        return usageSeen ? new StreamUsage(input, output, false, cached) : new StreamUsage(0, deltas, true);
    }

    @Override
    public boolean sawContent() {
        return sawContent;
    }
}
