package dev.sluice.translate;

import dev.sluice.protocol.StreamUsage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.UpstreamErrors;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.sse.SseEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * OpenAI client, OpenAI-compatible backend: forwards each upstream event byte for byte, as it arrives. It
 * only steps in where the dialects of runtimes and clients disagree:
 * <ul>
 *   <li>the usage chunk the gateway asked for on the client's behalf is dropped when the client did not
 *       ask (and llama.cpp's unasked one too, llama.cpp#16048);</li>
 *   <li>an in-band error chunk in any runtime's shape becomes the OpenAI error chunk and ends the stream;</li>
 *   <li>a stream that ends without {@code [DONE]} and without a finish reason ends with an error chunk,
 *       never a clean-looking end (Portkey#1797);</li>
 *   <li>a model name the runtime must be sent (TGI's "tgi") is rewritten back to the client's.</li>
 * </ul>
 */
public final class OpenAiPassthroughStream extends OpenAiClientStream {
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
    private static final String USAGE = ChunkScan.key("usage");
    private static final String FINISH_REASON = ChunkScan.key("finish_reason");
    private static final String CONTENT = ChunkScan.key("content");
    private static final String TEXT = ChunkScan.key("text");
    private static final String ARGUMENTS = ChunkScan.key("arguments");
    private static final String REASONING = ChunkScan.key("reasoning");
    private static final String REASONING_CONTENT = ChunkScan.key("reasoning_content");

    private final boolean clientWantsUsage;
    private final String rewriteModelTo;
    private final String toolIdSeed;
    private boolean finishSeen;
    private boolean sawContent;
    private long promptTokens;
    private long cachedTokens;
    private long completionTokens;
    private long contentEvents;
    private boolean usageSeen;

    /**
     * @param rewriteModelTo model name to put back into every chunk, or null to leave chunks untouched
     */
    public OpenAiPassthroughStream(boolean clientWantsUsage, String rewriteModelTo) {
        this(clientWantsUsage, rewriteModelTo, null);
    }

    /** @param toolIdSeed the seed of the tool-call ids minted for a runtime whose ids repeat (TGI), or null */
    public OpenAiPassthroughStream(boolean clientWantsUsage, String rewriteModelTo, String toolIdSeed) {
        this.clientWantsUsage = clientWantsUsage;
        this.rewriteModelTo = rewriteModelTo;
        this.toolIdSeed = toolIdSeed;
    }

    @Override
    public void onEvent(SseEvent event, List<byte[]> out) {
        if (terminated) {
            return;
        }
        String data = event.data();
        if (data == null) {
            out.add(event.raw()); // upstream comment or bare event line: harmless, keeps proxies awake
            return;
        }
        if (event.hasBlankData()) {
            return;
        }
        if (event.isDone()) {
            terminated = true;
            out.add(event.raw());
            return;
        }
        boolean mayHaveUsage = ChunkScan.hasObject(data, USAGE);
        boolean mayBeError = data.contains("\"error\"");
        boolean mayHaveToolId = toolIdSeed != null && data.contains("\"tool_calls\"");
        if (!mayHaveUsage && !mayBeError && rewriteModelTo == null && !mayHaveToolId) {
            if (!Json.isObject(data)) {
                // forwarded, it would crash the client's SDK instead of ending the stream with an error
                fail(GatewayException.of(ErrorKind.BAD_GATEWAY, "the backend sent a stream chunk that is not JSON"),
                        out);
                return;
            }
            note(data);
            out.add(event.raw());
            return;
        }
        JsonNode node = Json.tryParse(data);
        if (node == null || !node.isObject()) {
            fail(GatewayException.of(ErrorKind.BAD_GATEWAY, "the backend sent a stream chunk that is not JSON"), out);
            return;
        }
        if (mayBeError && UpstreamErrors.isErrorPayload(node)) {
            fail(UpstreamErrors.from(UpstreamErrors.inBandStatus(node), data.getBytes(StandardCharsets.UTF_8), java.util.Map.of(), null), out);
            return;
        }
        note(data);
        ObjectNode chunk = (ObjectNode) node;
        boolean changed = false;
        JsonNode usage = chunk.get("usage");
        if (usage != null && usage.isObject()) {
            usageSeen = true;
            promptTokens = usage.path("prompt_tokens").asLong(promptTokens);
            cachedTokens = StreamUsage.cached(usage);
            completionTokens = usage.path("completion_tokens").asLong(completionTokens);
            if (!clientWantsUsage) {
                JsonNode choices = chunk.get("choices");
                if (choices == null || (choices.isArray() && choices.isEmpty())) {
                    return; // the usage-only chunk the client never asked for
                }
                chunk.remove("usage");
                changed = true;
            }
        }
        if (mayHaveToolId) {
            changed |= mintToolIds(chunk);
        }
        if (rewriteModelTo != null && chunk.has("model")) {
            chunk.put("model", rewriteModelTo);
            changed = true;
        }
        out.add(changed ? ("data: " + Json.string(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8) : event.raw());
    }

    /** TGI gives every call of every turn the id "0": each call gets its own, unique to this response. */
    private boolean mintToolIds(ObjectNode chunk) {
        boolean changed = false;
        for (JsonNode choice : chunk.path("choices")) {
            JsonNode calls = choice.path("delta").path("tool_calls");
            List<JsonNode> list = calls.isObject() ? List.of(calls) : calls.isArray() ? toList(calls) : List.of();
            for (JsonNode call : list) {
                if (call instanceof ObjectNode c && c.hasNonNull("id")) {
                    c.put("id", OpenAiIds.callId(toolIdSeed, c.path("index").asInt(0), Json.text(c, "id")));
                    changed = true;
                }
            }
        }
        return changed;
    }

    private static List<JsonNode> toList(JsonNode array) {
        List<JsonNode> out = new java.util.ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    /** Cheap scans instead of a parse: most chunks need nothing but forwarding. */
    private void note(String data) {
        if (ChunkScan.hasString(data, FINISH_REASON)) {
            finishSeen = true;
        }
        if (ChunkScan.hasNonEmptyString(data, CONTENT) || ChunkScan.hasNonEmptyString(data, TEXT)
                || ChunkScan.hasNonEmptyString(data, ARGUMENTS) || ChunkScan.hasNonEmptyString(data, REASONING)
                || ChunkScan.hasNonEmptyString(data, REASONING_CONTENT)) {
            sawContent = true;
            contentEvents++;
        }
    }

    @Override
    public void onEnd(List<byte[]> out) {
        if (terminated) {
            return;
        }
        if (finishSeen) {
            // the answer is complete; the runtime just did not send the terminator
            terminated = true;
            out.add(DONE);
            return;
        }
        fail(GatewayException.of(ErrorKind.BAD_GATEWAY,
                "the backend stream ended before the response was complete"), out);
    }

    @Override
    public StreamUsage usage() {
        return usageSeen ? new StreamUsage(promptTokens, completionTokens, false, cachedTokens)
                : new StreamUsage(0, contentEvents, true);
    }

    @Override
    public boolean sawContent() {
        return sawContent;
    }
}
