package dev.sluice.translate;

import dev.sluice.protocol.StreamAnswer;
import dev.sluice.protocol.StreamTranslator;
import dev.sluice.protocol.StreamUsage;
import dev.sluice.protocol.UpstreamErrors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.responses.ResponsesErrors;
import dev.sluice.protocol.responses.ResponsesStreamEvent;
import dev.sluice.protocol.responses.ResponsesUsage;
import dev.sluice.protocol.sse.SseEvent;
import dev.sluice.translate.ResponsesStreamItems.Call;
import dev.sluice.translate.ResponsesStreamItems.Deferred;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI chat chunks in, Responses events out (responses-api.md §4, §5.1): {@code response.created} and
 * {@code response.in_progress} first; then items, one open at a time, each added, streamed and done; then exactly
 * one of {@code response.completed}, {@code response.incomplete} (finish reason {@code length} or
 * {@code content_filter}) or {@code response.failed}, and nothing after it. The terminal Response carries every
 * done item and a complete usage (the upstream's, which comes after the finish chunk, or an estimate).
 *
 * <p>Tool calls: the first call streams as it comes. Once it is open, everything after it (further calls, and
 * text or reasoning) is held and emitted in arrival order when the upstream finishes, because a runtime may still
 * send fragments for any call it has started: all headers first and then the arguments, calls interleaved by
 * index, or an index reused by a new call (ollama#15457). A done item cannot be reopened, so nothing is closed
 * before the finish, and no fragment is dropped.
 *
 * <p>A failure after the first byte (an error chunk, a cut stream, {@link #onError}) closes the announced items as
 * {@code incomplete} and ends with {@code response.failed} alone: an {@code error} event would be ignored by Codex
 * and by both SDKs' accumulators, and held calls are not emitted, since a client could run a half-written call.
 * Not thread-safe: one instance per response.
 */
public final class OpenAiToResponsesStream implements StreamTranslator {
    private static final byte[] KEEP_ALIVE = SseEvent.comment("keep-alive");

    private final ResponsesRequest request;
    private final ResponsesIds ids;
    private final String responseId;
    private final long createdAt;
    private final ResponsesStreamItems items;
    private final ThinkTagSplitter thinkTags = new ThinkTagSplitter();
    private final StringBuilder heldWhitespace = new StringBuilder();
    private final Map<Integer, Call> byIndex = new HashMap<>();
    private final Map<String, Call> byUpstreamId = new HashMap<>();
    private final Set<String> usedCallIds = new HashSet<>();
    private final List<ResponsesStreamItems.Pending> held = new ArrayList<>();
    private final StreamAnswer answer = new StreamAnswer();
    private Call live;
    private Call lastCall;
    private boolean started;
    private String finish;
    private boolean finishSeen;
    private JsonNode usage;
    private long outputChars;
    private long reasoningChars;
    private boolean terminated;
    private boolean failed;
    private boolean sawContent;

    /**
     * @param ids the source of the {@code resp_}, item and call ids
     * @param createdAt the Response's {@code created_at}, in epoch seconds
     */
    public OpenAiToResponsesStream(ResponsesRequest request, ResponsesIds ids, long createdAt) {
        this.request = request;
        this.ids = ids;
        this.responseId = ids.next("resp");
        this.createdAt = createdAt;
        this.items = new ResponsesStreamItems(request, ids);
    }

    /** The {@code resp_} id of this response, for logs and a response header. */
    public String responseId() {
        return responseId;
    }

    @Override
    public void onEvent(SseEvent event, List<byte[]> out) {
        if (terminated || event.data() == null) {
            return; // upstream comments and bare event lines mean nothing to a Responses client
        }
        start(out);
        if (event.isDone()) {
            finishResponse(out);
            return;
        }
        JsonNode chunk = Json.tryParse(event.data());
        if (chunk == null || !chunk.isObject()) {
            fail(GatewayException.of(ErrorKind.BAD_GATEWAY, "the backend sent a stream chunk that is not JSON"), out);
            return;
        }
        if (UpstreamErrors.isErrorPayload(chunk)) {
            fail(UpstreamErrors.from(UpstreamErrors.inBandStatus(chunk), event.data().getBytes(StandardCharsets.UTF_8),
                    Map.of(), null), out);
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
            reasoning = OpenAiDeltas.text(delta, "reasoning"); // vLLM ≥ 0.18 and Ollama spell it so
        }
        if (reasoning != null) {
            reasoning(reasoning, out);
        }
        String content = OpenAiDeltas.text(delta, "content");
        if (content != null) {
            if (request.splitThinkTags()) {
                thinkTags.split(content, t -> reasoning(t, out), t -> text(t, out));
            } else {
                text(content, out);
            }
        }
        String refusal = OpenAiDeltas.text(delta, "refusal");
        if (refusal != null) {
            refusal(refusal, out);
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
            // the delta of the same chunk was handled first (combined chunks, LiteLLM _CombinedChunkSplitter); the
            // terminal event waits for the usage chunk, which comes after this one
            finish = f;
            finishSeen = true;
            closeAll(OpenAiToResponsesResponse.incompleteReason(f) != null, out);
        }
    }

    private void start(List<byte[]> out) {
        if (started) {
            return;
        }
        started = true;
        ObjectNode r = request.response(responseId, createdAt, "in_progress", Json.NODES.arrayNode(), null, null, null);
        out.add(new ResponsesStreamEvent.Created(items.nextSeq(), r).encode());
        out.add(new ResponsesStreamEvent.InProgress(items.nextSeq(), r.deepCopy()).encode());
    }

    private void reasoning(String t, List<byte[]> out) {
        reasoningChars += t.length();
        sawContent = true;
        if (live != null) {
            hold(Deferred.Kind.REASONING, t);
            return;
        }
        heldWhitespace.setLength(0);
        items.reasoning(t, out);
    }

    /**
     * Whitespace alone (the "\n\n" runtimes put after {@code </think>} or before a tool call) opens no message:
     * it would be an empty-looking assistant message in the client's history. It is kept for the text that follows.
     */
    private void text(String t, List<byte[]> out) {
        if (t.isEmpty()) {
            return;
        }
        outputChars += t.length();
        if (live != null) {
            hold(Deferred.Kind.TEXT, t);
            return;
        }
        if (!items.inMessage()) {
            if (t.isBlank()) {
                heldWhitespace.append(t);
                return;
            }
            t = heldWhitespace.append(t).toString();
            heldWhitespace.setLength(0);
        }
        sawContent = true;
        items.text(t, out);
    }

    private void refusal(String t, List<byte[]> out) {
        outputChars += t.length();
        sawContent = true;
        if (live != null) {
            hold(Deferred.Kind.REFUSAL, t);
            return;
        }
        items.refusal(t, out);
    }

    private void hold(Deferred.Kind kind, String t) {
        ResponsesStreamItems.Pending last = held.isEmpty() ? null : held.get(held.size() - 1);
        if (last instanceof Deferred d && d.kind() == kind) {
            d.text().append(t);
        } else if (kind != Deferred.Kind.TEXT || !t.isBlank()) {
            held.add(new Deferred(kind, new StringBuilder(t)));
        }
    }

    private void toolCall(JsonNode tc, List<byte[]> out) {
        JsonNode fn = tc.path("function");
        String args = OpenAiDeltas.argumentsText(fn.get("arguments"));
        Call call = known(tc);
        if (call == null) {
            // content the think-tag splitter still holds came before this call
            thinkTags.flush(t -> reasoning(t, out), t -> text(t, out));
            heldWhitespace.setLength(0);
            String upstreamId = nonEmpty(Json.text(tc, "id"));
            call = new Call(ResponsesToolCalls.callId(upstreamId, usedCallIds, ids), upstreamId);
            JsonNode index = tc.get("index");
            if (index != null && index.canConvertToInt()) {
                byIndex.put(index.asInt(), call);
            }
            if (upstreamId != null) {
                byUpstreamId.put(upstreamId, call);
            }
            call.name = fn.path("name").asText("");
            sawContent = true;
            if (live == null) {
                live = call;
                items.openCall(call, out);
            } else {
                held.add(call);
            }
        } else if (call.name.isEmpty() && fn.hasNonNull("name")) {
            call.name = fn.get("name").asText();
        }
        lastCall = call;
        if (args.isEmpty() || call.closed) {
            return; // a fragment after the finish closed everything: never seen from the supported runtimes
        }
        call.args.append(args);
        outputChars += args.length();
        if (call == live) {
            items.streamArgs(call, out);
        }
    }

    /** The call a tool-call delta continues, or null for a new call. */
    private Call known(JsonNode tc) {
        String id = nonEmpty(Json.text(tc, "id"));
        JsonNode index = tc.get("index");
        if (index != null && index.canConvertToInt()) {
            Call c = byIndex.get(index.asInt());
            if (c != null && id != null && c.upstreamId != null && !id.equals(c.upstreamId)) {
                // another id on a known index: a fragment of an earlier call, or a new call reusing the index
                return byUpstreamId.get(id);
            }
            return c;
        }
        if (id != null) {
            return byUpstreamId.get(id); // old Ollama sent no index (ollama#7881)
        }
        return lastCall;
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** Closes everything open and emits what was held; with {@code cutShort}, the last item is incomplete. */
    private void closeAll(boolean cutShort, List<byte[]> out) {
        thinkTags.flush(t -> reasoning(t, out), t -> text(t, out));
        heldWhitespace.setLength(0);
        if (live == null) {
            items.closeContent(cutShort ? "incomplete" : "completed", out);
            return;
        }
        List<ResponsesStreamItems.Pending> all = new ArrayList<>();
        all.add(live);
        all.addAll(held);
        live = null;
        held.clear();
        for (int i = 0; i < all.size(); i++) {
            items.flush(all.get(i), cutShort && i == all.size() - 1 ? "incomplete" : "completed", out);
        }
    }

    private void finishResponse(List<byte[]> out) {
        String incomplete = OpenAiToResponsesResponse.incompleteReason(finish);
        // TGI streams calls without any finish_reason; and whatever came after the finish chunk is closed too
        closeAll(incomplete != null, out);
        ObjectNode r = request.response(responseId, createdAt, incomplete == null ? "completed" : "incomplete",
                items.output(), responsesUsage(), null, incomplete);
        long seq = items.nextSeq();
        out.add((incomplete == null ? new ResponsesStreamEvent.Completed(seq, r)
                : new ResponsesStreamEvent.Incomplete(seq, r)).encode());
        terminated = true;
    }

    @Override
    public void onEnd(List<byte[]> out) {
        if (terminated) {
            return;
        }
        start(out);
        if (finishSeen) {
            finishResponse(out); // the runtime finished but skipped [DONE]
            return;
        }
        fail(GatewayException.of(ErrorKind.API_ERROR, "upstream closed the stream before it finished"), out);
    }

    @Override
    public void onError(GatewayException error, List<byte[]> out) {
        if (!terminated) {
            start(out);
            fail(error, out);
        }
    }

    private void fail(GatewayException e, List<byte[]> out) {
        items.closeContent("incomplete", out);
        if (live != null) {
            items.closeCall(live, "incomplete", out);
            live = null;
        }
        held.clear();
        ObjectNode r = request.response(responseId, createdAt, "failed", items.output(), responsesUsage(),
                ResponsesErrors.responseError(e), null);
        out.add(new ResponsesStreamEvent.Failed(items.nextSeq(), r).encode());
        terminated = true;
        failed = true;
    }

    private ResponsesUsage responsesUsage() {
        long reasoningTokens = (reasoningChars + 3) / 4;
        return ResponsesUsage.fromChat(usage, request.estimatedInputTokens(), (outputChars + 3) / 4 + reasoningTokens,
                reasoningTokens);
    }

    @Override
    public boolean terminated() {
        return terminated;
    }

    @Override
    public boolean failed() {
        return failed;
    }

    /**
     * An SSE comment. The first keep-alive of a silent backend also opens the response, so the client sees
     * {@code response.created} first and knows the request was accepted.
     */
    @Override
    public byte[] keepAlive() {
        if (started || terminated) {
            return KEEP_ALIVE;
        }
        List<byte[]> head = new ArrayList<>();
        start(head);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        head.forEach(all::writeBytes);
        all.writeBytes(KEEP_ALIVE);
        return all.toByteArray();
    }

    @Override
    public StreamUsage usage() {
        ResponsesUsage u = responsesUsage();
        return new StreamUsage(u.inputTokens(), u.outputTokens(), u.estimated(), u.cachedTokens());
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
