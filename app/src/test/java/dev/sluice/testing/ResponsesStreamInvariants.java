package dev.sluice.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.protocol.sse.SseDecoder;
import dev.sluice.protocol.sse.SseEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules every Responses event stream from the gateway must keep (responses-api.md §4): each frame has an
 * {@code event:} line equal to its {@code data.type}; {@code sequence_number} is 0, 1, 2…; the stream opens with
 * {@code response.created} then {@code response.in_progress}; {@code output_index} follows the order of
 * {@code output_item.added}, one item open at a time, each added item done exactly once with the same id and type;
 * {@code content_index} and {@code summary_index} count the parts within their item, each part opened, fed and
 * closed in turn; deltas belong to the open part and add up to the {@code .done} text, which matches the part and
 * the done item; exactly one terminal event ({@code response.completed}, {@code .incomplete} or {@code .failed}),
 * last, whose Response lists exactly the done items, carries the status its name says and, unless failed, a usage
 * with every count an integer.
 */
public final class ResponsesStreamInvariants {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> TERMINALS = Set.of("response.completed", "response.incomplete", "response.failed");

    /** One decoded event: its {@code event:} name and its {@code data} as JSON. */
    public record Event(String name, JsonNode data) {
        public String type() {
            return data.path("type").asText();
        }

        @Override
        public String toString() {
            return name + " " + data;
        }
    }

    private ResponsesStreamInvariants() {}

    /** Decodes SSE bytes into events (comments skipped); fails on a frame whose data is not JSON. */
    public static List<Event> parse(byte[] sse) {
        List<SseEvent> raw = new ArrayList<>();
        SseDecoder decoder = new SseDecoder();
        decoder.feed(sse, raw);
        if (decoder.hasPartialEvent()) {
            throw new AssertionError("stream ends inside an event (no blank line after the last frame)");
        }
        List<Event> out = new ArrayList<>();
        for (SseEvent e : raw) {
            if (e.data() != null) {
                try {
                    out.add(new Event(e.event(), MAPPER.readTree(e.data())));
                } catch (IOException ex) {
                    throw new AssertionError("data is not JSON: " + e.data(), ex);
                }
            }
        }
        return out;
    }

    /** Each byte[] the translator emitted must be exactly one complete frame. */
    public static List<Event> parseFrames(List<byte[]> frames) {
        List<Event> out = new ArrayList<>();
        for (byte[] f : frames) {
            List<Event> one = parse(f);
            if (one.size() != 1) {
                throw new AssertionError("an emitted frame must hold exactly one event, got " + one.size() + ": "
                        + new String(f, StandardCharsets.UTF_8));
            }
            out.add(one.get(0));
        }
        return out;
    }

    public static void check(List<Event> events) {
        List<String> problems = violations(events);
        if (!problems.isEmpty()) {
            StringBuilder sb = new StringBuilder("Responses stream invariants broken:\n");
            problems.forEach(p -> sb.append("  - ").append(p).append('\n'));
            sb.append("stream:\n");
            for (int i = 0; i < events.size(); i++) {
                sb.append("  #").append(i).append(' ').append(events.get(i)).append('\n');
            }
            throw new AssertionError(sb.toString());
        }
    }

    /** The state of the one open item. */
    private static final class Item {
        final int index;
        final String id;
        final String type;
        int nextContent;
        int nextSummary;
        String partKind;
        int partIndex = -1;
        StringBuilder partText;
        final ArrayNode parts = JsonNodeFactory.instance.arrayNode();
        final StringBuilder args = new StringBuilder();
        String argsDone;

        Item(int index, String id, String type) {
            this.index = index;
            this.id = id;
            this.type = type;
        }
    }

    public static List<String> violations(List<Event> events) {
        List<String> p = new ArrayList<>();
        if (events.size() < 3) {
            p.add("a stream has at least response.created, response.in_progress and a terminal event");
            return p;
        }
        if (!"response.created".equals(events.get(0).name()) || !"response.in_progress".equals(events.get(1).name())) {
            p.add("the stream must open with response.created then response.in_progress");
        }
        String responseId = events.get(0).data().at("/response/id").asText(null);
        ArrayNode done = JsonNodeFactory.instance.arrayNode();
        Set<String> ids = new HashSet<>();
        Item open = null;
        int nextIndex = 0;
        String terminal = null;
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            JsonNode d = e.data();
            String at = "#" + i + " " + e.name() + ": ";
            if (e.name() == null || !e.name().equals(e.type())) {
                p.add(at + "event: line differs from data.type " + e.type());
            }
            if (!d.path("sequence_number").isIntegralNumber() || d.path("sequence_number").asLong() != i) {
                p.add(at + "sequence_number is " + d.get("sequence_number") + ", expected " + i);
            }
            if (terminal != null) {
                p.add(at + "event after the terminal " + terminal);
                continue;
            }
            if (d.has("response") && !d.at("/response/id").asText("").equals(responseId)) {
                p.add(at + "response.id differs from response.created's");
            }
            if (d.has("item_id") && (open == null || !open.id.equals(d.get("item_id").asText())
                    || open.index != d.path("output_index").asInt(-1))) {
                p.add(at + "item_id/output_index do not name the open item");
                continue;
            }
            switch (e.name()) {
                case "response.created", "response.in_progress" -> {
                    if (i > 1) {
                        p.add(at + "only allowed as the first two events");
                    }
                    if (!"in_progress".equals(d.at("/response/status").asText()) || !d.at("/response/output").isEmpty()) {
                        p.add(at + "the response must be in_progress with output []");
                    }
                }
                case "response.output_item.added" -> {
                    if (open != null) {
                        p.add(at + "item " + open.index + " is still open: items are serialized");
                    }
                    JsonNode item = d.get("item");
                    int index = d.path("output_index").asInt(-1);
                    if (index != nextIndex) {
                        p.add(at + "output_index " + index + ", expected " + nextIndex);
                    }
                    String id = item.path("id").asText("");
                    if (id.isEmpty() || !ids.add(id)) {
                        p.add(at + "item id missing or reused: " + id);
                    }
                    if (item.has("status") && !"in_progress".equals(item.get("status").asText())) {
                        p.add(at + "an added item is in_progress");
                    }
                    nextIndex++;
                    open = new Item(index, id, item.path("type").asText());
                }
                case "response.output_item.done" -> {
                    JsonNode item = d.get("item");
                    if (open == null || open.index != d.path("output_index").asInt(-1)
                            || !open.id.equals(item.path("id").asText()) || !open.type.equals(item.path("type").asText())) {
                        p.add(at + "done does not match the open item");
                        open = null;
                        continue;
                    }
                    if (open.partKind != null) {
                        p.add(at + "content part " + open.partIndex + " is still open");
                    }
                    String status = item.path("status").asText("completed");
                    if (!"completed".equals(status) && !"incomplete".equals(status)) {
                        p.add(at + "a done item is completed or incomplete, not " + status);
                    }
                    doneItem(open, item, at, p);
                    done.add(item);
                    open = null;
                }
                case "response.content_part.added", "response.reasoning_summary_part.added" -> {
                    boolean summary = e.name().contains("summary");
                    int index = d.path(summary ? "summary_index" : "content_index").asInt(-1);
                    int expected = summary ? open.nextSummary++ : open.nextContent++;
                    if (index != expected) {
                        p.add(at + "index " + index + ", expected " + expected);
                    }
                    if (open.partKind != null) {
                        p.add(at + "part " + open.partIndex + " is still open");
                    }
                    open.partKind = d.at("/part/type").asText();
                    open.partIndex = index;
                    open.partText = new StringBuilder();
                    if (!partText(d.get("part")).isEmpty()) {
                        p.add(at + "a part opens empty");
                    }
                }
                case "response.content_part.done", "response.reasoning_summary_part.done" -> {
                    if (!samePart(open, d, e.name().contains("summary"))) {
                        p.add(at + "does not close the open part");
                        continue;
                    }
                    if (!partText(d.get("part")).equals(open.partText.toString())) {
                        p.add(at + "part text differs from its deltas");
                    }
                    open.parts.add(d.get("part"));
                    open.partKind = null;
                }
                case "response.output_text.delta", "response.refusal.delta", "response.reasoning_text.delta",
                        "response.reasoning_summary_text.delta" -> {
                    if (!samePart(open, d, e.name().contains("summary")) || !kindFits(e.name(), open.partKind)) {
                        p.add(at + "delta outside its open part");
                        continue;
                    }
                    open.partText.append(d.path("delta").asText());
                }
                case "response.output_text.done", "response.refusal.done", "response.reasoning_text.done",
                        "response.reasoning_summary_text.done" -> {
                    if (!samePart(open, d, e.name().contains("summary")) || !kindFits(e.name(), open.partKind)) {
                        p.add(at + "done outside its open part");
                        continue;
                    }
                    String text = d.has("refusal") ? d.get("refusal").asText() : d.path("text").asText();
                    if (!text.equals(open.partText.toString())) {
                        p.add(at + "text differs from the deltas");
                    }
                }
                case "response.function_call_arguments.delta", "response.custom_tool_call_input.delta" -> {
                    if (open.argsDone != null) {
                        p.add(at + "delta after .done");
                    }
                    open.args.append(d.path("delta").asText());
                }
                case "response.function_call_arguments.done", "response.custom_tool_call_input.done" -> {
                    boolean function = e.name().startsWith("response.function");
                    if (!open.type.equals(function ? "function_call" : "custom_tool_call")) {
                        p.add(at + "on a " + open.type + " item");
                    }
                    open.argsDone = d.path(function ? "arguments" : "input").asText();
                    if (!open.argsDone.equals(open.args.toString())) {
                        p.add(at + "the deltas add up to " + open.args + ", not " + open.argsDone);
                    }
                    if (function && d.path("name").asText("").isEmpty()) {
                        p.add(at + "name is required by openai-python");
                    }
                }
                case "response.completed", "response.incomplete", "response.failed" -> {
                    terminal = e.name();
                    if (open != null) {
                        p.add(at + "item " + open.index + " was added but never done");
                    }
                    terminal(d.get("response"), e.name(), done, at, p);
                }
                default -> p.add(at + "an event type the gateway never sends");
            }
        }
        if (terminal == null) {
            p.add("no terminal event (response.completed, response.incomplete or response.failed)");
        }
        return p;
    }

    private static boolean samePart(Item open, JsonNode d, boolean summary) {
        return open != null && open.partKind != null
                && d.path(summary ? "summary_index" : "content_index").asInt(-1) == open.partIndex;
    }

    private static boolean kindFits(String event, String partKind) {
        return switch (partKind) {
            case "output_text" -> event.startsWith("response.output_text");
            case "refusal" -> event.startsWith("response.refusal");
            case "reasoning_text" -> event.startsWith("response.reasoning_text");
            case "summary_text" -> event.startsWith("response.reasoning_summary_text");
            default -> false;
        };
    }

    private static String partText(JsonNode part) {
        return part.has("refusal") ? part.get("refusal").asText() : part.path("text").asText();
    }

    private static void doneItem(Item open, JsonNode item, String at, List<String> p) {
        switch (open.type) {
            case "message" -> {
                if (!item.path("content").equals(open.parts)) {
                    p.add(at + "the message's content differs from its done parts");
                }
            }
            case "reasoning" -> {
                ArrayNode both = JsonNodeFactory.instance.arrayNode();
                both.addAll((ArrayNode) item.path("summary"));
                both.addAll((ArrayNode) item.path("content"));
                if (!both.equals(open.parts)) {
                    p.add(at + "the reasoning item differs from its done parts");
                }
            }
            case "function_call", "custom_tool_call" -> {
                String field = open.type.equals("function_call") ? "arguments" : "input";
                if (open.argsDone == null || !open.argsDone.equals(item.path(field).asText())) {
                    p.add(at + "the item's " + field + " differ from the .done event (or it never came)");
                }
            }
            case "compaction" -> {
                // a compaction summary (ResponsesCompaction) is sent whole: no parts, no deltas
                if (!open.parts.isEmpty() || !item.path("encrypted_content").isTextual()) {
                    p.add(at + "a compaction item needs encrypted_content and no parts");
                }
            }
            default -> p.add(at + "an item type the gateway never sends: " + open.type);
        }
    }

    private static void terminal(JsonNode r, String event, ArrayNode done, String at, List<String> p) {
        String expected = event.substring("response.".length());
        if (!expected.equals(r.path("status").asText())) {
            p.add(at + "status " + r.path("status").asText() + ", expected " + expected);
        }
        if (!done.equals(r.path("output"))) {
            p.add(at + "output differs from the items sent through output_item.done");
        }
        if ("incomplete".equals(expected) != r.path("incomplete_details").path("reason").isTextual()) {
            p.add(at + "incomplete_details.reason is set exactly when incomplete");
        }
        if ("failed".equals(expected) != r.path("error").path("code").isTextual()) {
            p.add(at + "error.code is set exactly when failed");
        }
        JsonNode u = r.path("usage");
        for (String f : new String[] {"/input_tokens", "/output_tokens", "/total_tokens",
            "/input_tokens_details/cached_tokens", "/output_tokens_details/reasoning_tokens"}) {
            if (!u.at(f).isIntegralNumber()) {
                p.add(at + "usage" + f + " must be an integer (Codex fails the turn otherwise)");
            }
        }
    }
}
