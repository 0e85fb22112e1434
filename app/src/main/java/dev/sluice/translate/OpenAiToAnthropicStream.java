package dev.sluice.translate;

import dev.sluice.protocol.StreamTranslator;
import dev.sluice.protocol.StreamUsage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.UpstreamErrors;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.anthropic.AnthropicErrors;
import dev.sluice.protocol.anthropic.AnthropicStreamEvent;
import dev.sluice.protocol.anthropic.AnthropicStreamEvent.ContentBlockDelta;
import dev.sluice.protocol.anthropic.AnthropicStreamEvent.ContentBlockStart;
import dev.sluice.protocol.anthropic.AnthropicStreamEvent.ContentBlockStop;
import dev.sluice.protocol.sse.SseEvent;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI chat chunks in, Anthropic Messages events out: the state machine of protocols.md §3.8.
 * Guarantees what the SDK accumulators rely on: exactly one {@code message_start} first; block indexes
 * 0, 1, 2... in order; one open block at a time, each closed; deltas matching their block's type;
 * {@code message_delta} (held until the usage chunk, which follows the finish chunk) then
 * {@code message_stop}; and on failure an {@code event: error} instead of {@code message_stop}.
 * Not thread-safe: one instance per response.
 */
public final class OpenAiToAnthropicStream implements StreamTranslator {
    private enum Open { NONE, THINKING, TEXT, TOOL }

    private static final class Tool {
        final int index;
        final String upstreamId;

        Tool(int index, String upstreamId) {
            this.index = index;
            this.upstreamId = upstreamId;
        }
    }

    private final String messageId;
    private final AnthropicRequest request;
    private final Map<String, Tool> tools = new LinkedHashMap<>();
    private final Set<String> usedIds = new HashSet<>();
    private final ThinkTagSplitter thinkTags = new ThinkTagSplitter();
    private final StringBuilder heldWhitespace = new StringBuilder();
    private boolean started;
    private int nextIndex;
    private Open open = Open.NONE;
    private int openIndex = -1;
    private String openToolKey;
    private String lastToolKey;
    private String finish;
    private boolean finishSeen;
    private String matchedStop;
    private JsonNode usage;
    private boolean emittedTool;
    private long outputChars;
    private boolean terminated;
    private boolean failed;
    private boolean sawContent;

    public OpenAiToAnthropicStream(String messageId, AnthropicRequest request) {
        this.messageId = messageId;
        this.request = request;
    }

    @Override
    public void onEvent(SseEvent event, List<byte[]> out) {
        if (terminated || event.data() == null) {
            return; // upstream comments and bare event lines mean nothing to an Anthropic client
        }
        start(out);
        if (event.isDone()) {
            finishMessage(out);
            return;
        }
        JsonNode chunk = Json.tryParse(event.data());
        if (chunk == null || !chunk.isObject()) {
            fail(GatewayException.of(ErrorKind.BAD_GATEWAY, "the backend sent a stream chunk that is not JSON"), out);
            return;
        }
        if (UpstreamErrors.isErrorPayload(chunk)) {
            fail(UpstreamErrors.from(UpstreamErrors.inBandStatus(chunk), event.data().getBytes(StandardCharsets.UTF_8), Map.of(), null), out);
            return;
        }
        JsonNode u = chunk.get("usage");
        if (u != null && u.isObject()) {
            usage = u;
        }
        JsonNode choice = chunk.path("choices").path(0);
        if (choice.isMissingNode()) {
            return; // the usage-only chunk
        }
        JsonNode delta = choice.path("delta");
        String reasoning = text(delta, "reasoning_content");
        if (reasoning == null) {
            reasoning = text(delta, "reasoning");
        }
        if (reasoning != null) {
            thinking(reasoning, out);
        }
        String content = text(delta, "content");
        if (content != null) {
            thinkTags.split(content, t -> thinking(t, out), t -> text(t, out));
        }
        JsonNode calls = delta.get("tool_calls");
        if (calls != null && calls.isObject()) {
            calls = Json.NODES.arrayNode().add(calls); // older TGI streams one object, not a list (TGI#2794)
        }
        if (calls != null && calls.isArray()) {
            for (JsonNode tc : calls) {
                toolCall(tc, out);
            }
        }
        String f = Json.text(choice, "finish_reason");
        if (f != null) {
            // the delta in the same chunk was handled first (combined chunks, LiteLLM _CombinedChunkSplitter)
            finish = f;
            finishSeen = true;
            matchedStop = OpenAiToAnthropicMapping.matchedStop(choice, request.stopSequences());
            closeOpen(out);
        }
    }

    private static String text(JsonNode delta, String field) {
        JsonNode v = delta.get(field);
        return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }

    private void start(List<byte[]> out) {
        if (!started) {
            started = true;
            out.add(new AnthropicStreamEvent.MessageStart(messageId, request.clientModel(),
                    request.estimatedInputTokens()).encode());
        }
    }

    private void thinking(String t, List<byte[]> out) {
        if (open != Open.THINKING) {
            heldWhitespace.setLength(0);
            closeOpen(out);
            openBlock(Open.THINKING, Json.object().put("type", "thinking").put("thinking", "").put("signature", ""),
                    out);
        }
        outputChars += t.length();
        sawContent = true;
        out.add(new ContentBlockDelta(openIndex, Json.object().put("type", "thinking_delta").put("thinking", t))
                .encode());
    }

    private void text(String t, List<byte[]> out) {
        if (t.isEmpty()) {
            return; // never open an empty text block: the real API rejects them when sent back (claude-code#62396)
        }
        if (open != Open.TEXT) {
            if (t.isBlank()) {
                // whitespace alone (the "\n\n" runtimes put between </think> or a tool call and the rest) opens no
                // block: the real API rejects whitespace-only text blocks when a client replays the history
                heldWhitespace.append(t);
                return;
            }
            closeOpen(out);
            openBlock(Open.TEXT, Json.object().put("type", "text").put("text", ""), out);
            if (!heldWhitespace.isEmpty()) {
                t = heldWhitespace.append(t).toString();
                heldWhitespace.setLength(0);
            }
        }
        outputChars += t.length();
        sawContent = true;
        out.add(new ContentBlockDelta(openIndex, Json.object().put("type", "text_delta").put("text", t)).encode());
    }

    private void toolCall(JsonNode tc, List<byte[]> out) {
        String upstreamId = Json.text(tc, "id");
        JsonNode idx = tc.get("index");
        String key;
        if (idx != null && idx.canConvertToInt()) {
            key = "i" + idx.asInt();
        } else if (upstreamId != null) {
            key = "id:" + upstreamId; // old Ollama sent no index (ollama#7881)
        } else {
            key = lastToolKey;
        }
        if (key == null) {
            return;
        }
        Tool known = tools.get(key);
        if (known != null && upstreamId != null && known.upstreamId != null && !known.upstreamId.equals(upstreamId)) {
            // a new call reusing an index: Ollama gives parallel calls index 0 each (ollama#15457)
            key = "dup:" + upstreamId + ":" + tools.size();
            known = null;
        }
        lastToolKey = key;
        JsonNode fn = tc.path("function");
        String args = argumentsText(fn.get("arguments"));
        if (known == null) {
            // text still held by the think-tag splitter belongs before this call, not after it
            thinkTags.flush(t -> thinking(t, out), t -> text(t, out));
            heldWhitespace.setLength(0);
            closeOpen(out);
            int index = nextIndex;
            String id = AnthropicIds.validToolId(upstreamId) && !usedIds.contains(upstreamId) ? upstreamId
                    : AnthropicIds.mintToolId(messageId, index, upstreamId);
            usedIds.add(id);
            String name = fn.path("name").asText("");
            tools.put(key, new Tool(index, upstreamId));
            openBlock(Open.TOOL, Json.object().put("type", "tool_use").put("id", id)
                    .put("name", request.toolNames().getOrDefault(name, name)).set("input", Json.object()), out);
            openToolKey = key;
            emittedTool = true;
            sawContent = true;
            if (!args.isEmpty()) {
                // Ollama sends the whole call in one chunk: its arguments must not be dropped (LiteLLM#25321)
                inputDelta(args, out);
            }
            return;
        }
        if (open == Open.TOOL && key.equals(openToolKey)) {
            if (!args.isEmpty()) {
                inputDelta(args, out);
            }
        }
        // a late fragment for a call already closed: never seen from the supported runtimes; it is dropped
        // rather than emitted into a block the client has already finished
    }

    private static String argumentsText(JsonNode arguments) {
        if (arguments == null || arguments.isNull()) {
            return "";
        }
        return arguments.isTextual() ? arguments.asText() : Json.string(arguments);
    }

    private void inputDelta(String args, List<byte[]> out) {
        outputChars += args.length();
        out.add(new ContentBlockDelta(openIndex, Json.object().put("type", "input_json_delta")
                .put("partial_json", args)).encode());
    }

    private void openBlock(Open kind, ObjectNode block, List<byte[]> out) {
        open = kind;
        openIndex = nextIndex++;
        out.add(new ContentBlockStart(openIndex, block).encode());
    }

    private void closeOpen(List<byte[]> out) {
        if (open == Open.NONE) {
            return;
        }
        if (open == Open.THINKING) {
            // typed clients (the Java SDK) only take the signature from signature_delta
            out.add(new ContentBlockDelta(openIndex, Json.object().put("type", "signature_delta").put("signature", ""))
                    .encode());
        }
        out.add(new ContentBlockStop(openIndex).encode());
        open = Open.NONE;
        openToolKey = null;
    }

    private void finishMessage(List<byte[]> out) {
        thinkTags.flush(t -> thinking(t, out), t -> text(t, out));
        closeOpen(out);
        String stop = OpenAiToAnthropicMapping.stopReason(finish, emittedTool, matchedStop);
        ObjectNode u = OpenAiToAnthropicMapping.usage(usage, request.estimatedInputTokens(), (outputChars + 3) / 4);
        out.add(new AnthropicStreamEvent.MessageDelta(stop, "stop_sequence".equals(stop) ? matchedStop : null, u)
                .encode());
        out.add(new AnthropicStreamEvent.MessageStop().encode());
        terminated = true;
    }

    @Override
    public void onEnd(List<byte[]> out) {
        if (terminated) {
            return;
        }
        start(out);
        if (finishSeen) {
            finishMessage(out); // the runtime finished but skipped [DONE]
            return;
        }
        fail(GatewayException.of(ErrorKind.API_ERROR, "upstream stream ended unexpectedly"), out);
    }

    @Override
    public void onError(GatewayException error, List<byte[]> out) {
        if (!terminated) {
            start(out);
            fail(error, out);
        }
    }

    private void fail(GatewayException e, List<byte[]> out) {
        closeOpen(out);
        out.add(new AnthropicStreamEvent.Error(AnthropicErrors.type(e.kind()), e.getMessage()).encode());
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

    /** The first keep-alive of a silent backend also opens the message, so the client sees message_start first. */
    @Override
    public byte[] keepAlive() {
        byte[] ping = new AnthropicStreamEvent.Ping().encode();
        if (started) {
            return ping;
        }
        started = true;
        byte[] head = new AnthropicStreamEvent.MessageStart(messageId, request.clientModel(),
                request.estimatedInputTokens()).encode();
        byte[] both = new byte[head.length + ping.length];
        System.arraycopy(head, 0, both, 0, head.length);
        System.arraycopy(ping, 0, both, head.length, ping.length);
        return both;
    }

    @Override
    public StreamUsage usage() {
        if (usage != null) {
            return new StreamUsage(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0),
                    false);
        }
        return new StreamUsage(request.estimatedInputTokens(), (outputChars + 3) / 4, true);
    }

    @Override
    public boolean sawContent() {
        return sawContent;
    }
}
