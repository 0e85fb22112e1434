package dev.sluice.translate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.responses.ResponsesContentPart;
import dev.sluice.protocol.responses.ResponsesOutputItem;
import dev.sluice.protocol.responses.ResponsesStreamEvent;
import dev.sluice.protocol.responses.ResponsesStreamEvent.ContentPartAdded;
import dev.sluice.protocol.responses.ResponsesStreamEvent.ContentPartDone;
import dev.sluice.protocol.responses.ResponsesStreamEvent.OutputItemAdded;
import dev.sluice.protocol.responses.ResponsesStreamEvent.OutputItemDone;
import java.util.ArrayList;
import java.util.List;

/**
 * The item-level events of one Responses stream: {@code sequence_number} (0, 1, 2… over the whole stream),
 * {@code output_index} (the order of {@code output_item.added}), {@code content_index} (the order of
 * {@code content_part.added} within the item), one item open at a time, and the list of done items that the
 * terminal Response carries. Not thread-safe: one instance per response.
 */
final class ResponsesStreamItems {
    private enum Open { NONE, MESSAGE, REASONING }

    private enum Part { NONE, TEXT, REFUSAL }

    /** Output that waits for the stream to finish, in arrival order. */
    sealed interface Pending permits Call, Deferred {}

    /** Content that arrived after a tool call had opened (see {@link OpenAiToResponsesStream}). */
    record Deferred(Kind kind, StringBuilder text) implements Pending {
        enum Kind { TEXT, REFUSAL, REASONING }
    }

    /** One upstream tool call: its header, and every argument fragment so far. */
    static final class Call implements Pending {
        final String callId;
        String upstreamId;
        String name = "";
        final StringBuilder args = new StringBuilder();
        int streamed;
        ResponsesToolRef ref;
        String itemId;
        int outputIndex = -1;
        boolean closed;

        Call(String callId, String upstreamId) {
            this.callId = callId;
            this.upstreamId = upstreamId;
        }
    }

    private final ResponsesRequest request;
    private final ResponsesIds ids;
    private final ArrayNode output = Json.NODES.arrayNode();
    private long seq;
    private int nextOutputIndex;
    private Open open = Open.NONE;
    private String itemId;
    private int outputIndex;
    private final List<ResponsesContentPart> parts = new ArrayList<>();
    private Part part = Part.NONE;
    private final StringBuilder partText = new StringBuilder();

    ResponsesStreamItems(ResponsesRequest request, ResponsesIds ids) {
        this.request = request;
        this.ids = ids;
    }

    long nextSeq() {
        return seq++;
    }

    /** The items sent through {@code output_item.done}, in output order. */
    ArrayNode output() {
        return output.deepCopy();
    }

    boolean inMessage() {
        return open == Open.MESSAGE;
    }

    void text(String t, List<byte[]> out) {
        message(Part.TEXT, out);
        partText.append(t);
        emit(new ResponsesStreamEvent.OutputTextDelta(seq++, itemId, outputIndex, parts.size(), t), out);
    }

    void refusal(String t, List<byte[]> out) {
        message(Part.REFUSAL, out);
        partText.append(t);
        emit(new ResponsesStreamEvent.RefusalDelta(seq++, itemId, outputIndex, parts.size(), t), out);
    }

    /**
     * Raw chain of thought streams as {@code reasoning_text} by default; as a summary when the client asked for
     * one (Codex displays summaries, and shows raw reasoning only when configured to).
     */
    void reasoning(String t, List<byte[]> out) {
        if (open != Open.REASONING) {
            closeContent("completed", out);
            open = Open.REASONING;
            itemId = ids.next("rs");
            outputIndex = nextOutputIndex++;
            emit(new OutputItemAdded(seq++, outputIndex, reasoningItem("in_progress", null)), out);
            emit(request.reasoningSummary()
                    ? new ResponsesStreamEvent.ReasoningSummaryPartAdded(seq++, itemId, outputIndex, 0, "")
                    : new ContentPartAdded(seq++, itemId, outputIndex, 0, new ResponsesContentPart.ReasoningText("")),
                    out);
        }
        partText.append(t);
        emit(request.reasoningSummary()
                ? new ResponsesStreamEvent.ReasoningSummaryTextDelta(seq++, itemId, outputIndex, 0, t)
                : new ResponsesStreamEvent.ReasoningTextDelta(seq++, itemId, outputIndex, 0, t), out);
    }

    private ResponsesOutputItem reasoningItem(String status, String text) {
        List<String> body = text == null ? List.of() : List.of(text);
        return request.reasoningSummary() ? new ResponsesOutputItem.Reasoning(itemId, status, body, List.of())
                : new ResponsesOutputItem.Reasoning(itemId, status, List.of(), body);
    }

    private void message(Part kind, List<byte[]> out) {
        if (open != Open.MESSAGE) {
            closeContent("completed", out);
            open = Open.MESSAGE;
            itemId = ids.next("msg");
            outputIndex = nextOutputIndex++;
            emit(new OutputItemAdded(seq++, outputIndex, new ResponsesOutputItem.Message(itemId, "in_progress",
                    List.of())), out);
        }
        if (part != kind) {
            closePart(out);
            part = kind;
            emit(new ContentPartAdded(seq++, itemId, outputIndex, parts.size(), kind == Part.TEXT
                    ? new ResponsesContentPart.OutputText("") : new ResponsesContentPart.Refusal("")), out);
        }
    }

    private void closePart(List<byte[]> out) {
        String t = partText.toString();
        int index = parts.size();
        switch (part) {
            case NONE -> {
                return;
            }
            case TEXT -> {
                emit(new ResponsesStreamEvent.OutputTextDone(seq++, itemId, outputIndex, index, t), out);
                parts.add(new ResponsesContentPart.OutputText(t));
            }
            case REFUSAL -> {
                emit(new ResponsesStreamEvent.RefusalDone(seq++, itemId, outputIndex, index, t), out);
                parts.add(new ResponsesContentPart.Refusal(t));
            }
        }
        emit(new ContentPartDone(seq++, itemId, outputIndex, index, parts.get(index)), out);
        part = Part.NONE;
        partText.setLength(0);
    }

    /** Closes the open message or reasoning item, if any. */
    void closeContent(String status, List<byte[]> out) {
        switch (open) {
            case NONE -> {
                return;
            }
            case MESSAGE -> {
                closePart(out);
                done(outputIndex, new ResponsesOutputItem.Message(itemId, status, parts), out);
            }
            case REASONING -> {
                String t = partText.toString();
                if (request.reasoningSummary()) {
                    emit(new ResponsesStreamEvent.ReasoningSummaryTextDone(seq++, itemId, outputIndex, 0, t), out);
                    emit(new ResponsesStreamEvent.ReasoningSummaryPartDone(seq++, itemId, outputIndex, 0, t), out);
                } else {
                    emit(new ResponsesStreamEvent.ReasoningTextDone(seq++, itemId, outputIndex, 0, t), out);
                    emit(new ContentPartDone(seq++, itemId, outputIndex, 0, new ResponsesContentPart.ReasoningText(t)),
                            out);
                }
                done(outputIndex, reasoningItem(status, t), out);
            }
        }
        open = Open.NONE;
        parts.clear();
        part = Part.NONE;
        partText.setLength(0);
    }

    /** Announces a call: {@code output_item.added} with empty arguments (or input). */
    void openCall(Call c, List<byte[]> out) {
        closeContent("completed", out);
        c.ref = request.tool(c.name);
        c.itemId = ids.next(ResponsesToolCalls.itemPrefix(c.ref));
        c.outputIndex = nextOutputIndex++;
        ResponsesOutputItem item = switch (c.ref.kind()) {
            case FUNCTION -> new ResponsesOutputItem.FunctionCall(c.itemId, "in_progress", c.callId, c.ref.name(),
                    c.ref.namespace(), "");
            case CUSTOM -> new ResponsesOutputItem.CustomToolCall(c.itemId, c.callId, c.ref.name(),
                    c.ref.namespace(), "");
        };
        emit(new OutputItemAdded(seq++, c.outputIndex, item), out);
    }

    /**
     * Sends the fragments not yet sent as one delta. Custom tools send nothing until the end: their input is
     * unwrapped from JSON, which needs the whole arguments.
     */
    void streamArgs(Call c, List<byte[]> out) {
        if (c.ref.kind() == ResponsesToolRef.Kind.CUSTOM || c.streamed == c.args.length()) {
            return;
        }
        emit(new ResponsesStreamEvent.FunctionCallArgumentsDelta(seq++, c.itemId, c.outputIndex,
                c.args.substring(c.streamed)), out);
        c.streamed = c.args.length();
    }

    void closeCall(Call c, String status, List<byte[]> out) {
        String args = c.args.toString();
        ResponsesOutputItem item = ResponsesToolCalls.item(c.ref, c.itemId, status, c.callId, args);
        switch (item) {
            case ResponsesOutputItem.FunctionCall f -> {
                if (args.isEmpty()) {
                    c.args.append(f.arguments()); // "{}": the deltas then add up to the done arguments
                }
                streamArgs(c, out);
                emit(new ResponsesStreamEvent.FunctionCallArgumentsDone(seq++, c.itemId, c.outputIndex, f.name(),
                        f.arguments()), out);
            }
            case ResponsesOutputItem.CustomToolCall t -> {
                if (!t.input().isEmpty()) {
                    emit(new ResponsesStreamEvent.CustomToolCallInputDelta(seq++, c.itemId, c.outputIndex, t.input()),
                            out);
                }
                emit(new ResponsesStreamEvent.CustomToolCallInputDone(seq++, c.itemId, c.outputIndex, t.input()), out);
            }
            case ResponsesOutputItem.Message m -> throw new IllegalStateException("not a call: " + m);
            case ResponsesOutputItem.Reasoning r -> throw new IllegalStateException("not a call: " + r);
            case ResponsesOutputItem.Compaction k -> throw new IllegalStateException("not a call: " + k);
            case ResponsesOutputItem.Unknown u -> throw new IllegalStateException("not a call: " + u);
        }
        c.closed = true;
        done(c.outputIndex, item, out);
    }

    /** Emits held output: a call (announced now if it was not yet), or deferred content as its own item. */
    void flush(Pending p, String status, List<byte[]> out) {
        switch (p) {
            case Call c -> {
                if (c.outputIndex < 0) {
                    openCall(c, out);
                }
                closeCall(c, status, out);
            }
            case Deferred d -> {
                String t = d.text().toString();
                switch (d.kind()) {
                    case TEXT -> text(t, out);
                    case REFUSAL -> refusal(t, out);
                    case REASONING -> reasoning(t, out);
                }
                closeContent(status, out);
            }
        }
    }

    private void done(int index, ResponsesOutputItem item, List<byte[]> out) {
        emit(new OutputItemDone(seq++, index, item), out);
        output.add(item.toJson());
    }

    private static void emit(ResponsesStreamEvent e, List<byte[]> out) {
        out.add(e.encode());
    }
}
