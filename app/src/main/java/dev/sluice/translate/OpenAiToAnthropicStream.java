package dev.sluice.translate;

import dev.sluice.protocol.StreamAnswer;
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
import java.util.ArrayDeque;
import java.util.HashMap;
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

    /** One upstream tool call: buffered until it can be emitted in order, then its block. */
    private static final class Tool {
        final String upstreamId;
        final String name;
        final StringBuilder args = new StringBuilder();
        boolean emitted;

        Tool(String upstreamId, String name) {
            this.upstreamId = upstreamId;
            this.name = name;
        }
    }

    private final String messageId;
    private final AnthropicRequest request;
    private final Map<String, Tool> tools = new LinkedHashMap<>();
    /** The latest call seen at each upstream index: a fragment without an id belongs to it. */
    private final Map<Integer, String> keyOfIndex = new HashMap<>();
    /** Calls that arrived while the open call's arguments were incomplete, in order of arrival. */
    private final ArrayDeque<Tool> pendingTools = new ArrayDeque<>();
    private final StringBuilder textTail = new StringBuilder();
    private final int tailLength;
    private final Set<String> usedIds = new HashSet<>();
    private final ThinkTagSplitter thinkTags = new ThinkTagSplitter();
    private final StringBuilder heldWhitespace = new StringBuilder();
    private final StreamAnswer answer = new StreamAnswer();
    private boolean started;
    private int nextIndex;
    private Open open = Open.NONE;
    private int openIndex = -1;
    private Tool openTool;
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
        this.tailLength = request.stopSequences().stream().mapToInt(String::length).max().orElse(0) + 8;
    }

    @Override
    public void onEvent(SseEvent event, List<byte[]> out) {
        if (terminated || event.data() == null || event.hasBlankData()) {
            // upstream comments, bare event lines and empty data: lines mean nothing to an Anthropic client
            return;
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
        answer.chunk(chunk);
        JsonNode u = chunk.get("usage");
        if (u != null && u.isObject()) {
            usage = u;
        }
        JsonNode choice = chunk.path("choices").path(0);
        if (choice.isMissingNode()) {
            return; // the usage-only chunk
        }
        JsonNode delta = choice.path("delta");
        String reasoning = OpenAiDeltas.text(delta, "reasoning_content");
        if (reasoning == null) {
            reasoning = OpenAiDeltas.text(delta, "reasoning");
        }
        if (reasoning != null) {
            thinking(reasoning, out);
        }
        String content = OpenAiDeltas.text(delta, "content");
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
            thinkTags.flush(t -> thinking(t, out), t -> text(t, out));
            matchedStop = OpenAiToAnthropicMapping.matchedStop(choice, request.stopSequences(), textTail);
            flushTools(out);
        }
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
            flushTools(out);
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
            flushTools(out);
            openBlock(Open.TEXT, Json.object().put("type", "text").put("text", ""), out);
            if (!heldWhitespace.isEmpty()) {
                t = heldWhitespace.append(t).toString();
                heldWhitespace.setLength(0);
            }
        }
        outputChars += t.length();
        sawContent = true;
        textTail.append(t);
        if (textTail.length() > tailLength) {
            textTail.delete(0, textTail.length() - tailLength);
        }
        out.add(new ContentBlockDelta(openIndex, Json.object().put("type", "text_delta").put("text", t)).encode());
    }

    /**
     * A tool-call delta. The open call's fragments stream as they come; a call that starts while the open one's
     * arguments are still incomplete (interleaved parallel calls, every header before any arguments) is buffered,
     * and fragments for it are kept, until the open one is complete, so no fragment is ever lost. Buffered calls
     * are emitted in order of arrival, each as start, one input_json_delta and stop (protocols.md §3.8 step 5).
     */
    private void toolCall(JsonNode tc, List<byte[]> out) {
        String upstreamId = Json.text(tc, "id");
        JsonNode idx = tc.get("index");
        int index = idx != null && idx.canConvertToInt() ? idx.asInt() : -1;
        String key = toolKey(index, upstreamId);
        if (key == null) {
            return;
        }
        lastToolKey = key;
        JsonNode fn = tc.path("function");
        String args = OpenAiDeltas.argumentsText(fn.get("arguments"));
        Tool t = tools.get(key);
        if (t == null) {
            // text still held by the think-tag splitter belongs before this call, not after it
            thinkTags.flush(x -> thinking(x, out), x -> text(x, out));
            heldWhitespace.setLength(0);
            t = new Tool(upstreamId, fn.path("name").asText(""));
            tools.put(key, t);
            if (index >= 0) {
                keyOfIndex.put(index, key);
            }
            t.args.append(args);
            emittedTool = true;
            sawContent = true;
            if (openTool != null && (!pendingTools.isEmpty() || !complete(openTool))) {
                pendingTools.add(t); // the open call may still get fragments: this one waits its turn
            } else {
                emit(t, out);
            }
            return;
        }
        if (args.isEmpty()) {
            return;
        }
        if (t == openTool) {
            t.args.append(args);
            inputDelta(args, out);
            if (!pendingTools.isEmpty() && complete(t)) {
                advance(out);
            }
        } else if (!t.emitted) {
            t.args.append(args);
        }
        // else a fragment for a call flushed by later text or the finish: its block is already closed
    }

    /**
     * Which call a delta belongs to: by its id at that index, else the latest call at its index (Ollama gives
     * parallel calls index 0 each, ollama#15457), else by id (old Ollama sent no index, ollama#7881), else the
     * previous delta's call.
     */
    private String toolKey(int index, String upstreamId) {
        if (index >= 0) {
            String latest = keyOfIndex.get(index);
            if (upstreamId == null) {
                return latest != null ? latest : "i" + index + ":";
            }
            if (latest != null && tools.get(latest).upstreamId == null) {
                return latest; // the id came after the header
            }
            return "i" + index + ":" + upstreamId; // a known call, or a new one reusing the index
        }
        if (upstreamId != null) {
            return "id:" + upstreamId;
        }
        return lastToolKey;
    }

    /** The arguments so far form a whole JSON value: no later fragment can belong to them. */
    private static boolean complete(Tool t) {
        int end = t.args.length() - 1;
        while (end >= 0 && Character.isWhitespace(t.args.charAt(end))) {
            end--;
        }
        if (end < 0 || t.args.charAt(end) != '}') {
            return false;
        }
        return Json.tryParse(t.args.toString()) != null;
    }

    /** Opens the block of a call (closing whatever is open) with the arguments it has so far. */
    private void emit(Tool t, List<byte[]> out) {
        closeOpen(out);
        int index = nextIndex;
        String id = request.mintToolIds() || !AnthropicIds.validToolId(t.upstreamId) || usedIds.contains(t.upstreamId)
                ? AnthropicIds.mintToolId(messageId, index, t.upstreamId) : t.upstreamId;
        usedIds.add(id);
        openBlock(Open.TOOL, Json.object().put("type", "tool_use").put("id", id)
                .put("name", request.toolNames().getOrDefault(t.name, t.name)).set("input", Json.object()), out);
        openTool = t;
        t.emitted = true;
        if (!t.args.isEmpty()) {
            // Ollama sends the whole call in one chunk: its arguments must not be dropped (LiteLLM#25321)
            inputDelta(t.args.toString(), out);
        }
    }

    /** The open call is complete: the buffered ones follow, until one still waits for fragments. */
    private void advance(List<byte[]> out) {
        while (!pendingTools.isEmpty() && (openTool == null || complete(openTool))) {
            emit(pendingTools.poll(), out);
        }
    }

    /** Closes the open block and emits every buffered call, complete or not (finish, end, or other content). */
    private void flushTools(List<byte[]> out) {
        while (!pendingTools.isEmpty()) {
            emit(pendingTools.poll(), out);
        }
        closeOpen(out);
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
        openTool = null;
    }

    private void finishMessage(List<byte[]> out) {
        thinkTags.flush(t -> thinking(t, out), t -> text(t, out));
        flushTools(out);
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
                    false, StreamUsage.cached(usage));
        }
        return new StreamUsage(request.estimatedInputTokens(), (outputChars + 3) / 4, true);
    }

    @Override
    public boolean sawContent() {
        return sawContent;
    }

    @Override
    public StreamAnswer answer() {
        return answer;
    }
}
