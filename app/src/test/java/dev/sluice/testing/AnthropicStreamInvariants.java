package dev.sluice.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.protocol.sse.SseDecoder;
import dev.sluice.protocol.sse.SseEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules every Anthropic Messages event stream from the gateway must keep (protocols.md §0 rule 2, §1.9,
 * §3.8 "Invariants to assert in tests"): exactly one {@code message_start}, first; block indexes contiguous
 * from 0, one block open at a time, each started block stopped once; no delta outside its open block; delta
 * type matching the block type; {@code message_delta} before {@code message_stop}; nothing after the terminal
 * event; an {@code error} is never followed by {@code message_stop}. Also: every frame has an {@code event:}
 * line equal to its {@code data.type}, and a tool block's {@code input_json_delta} pieces concatenate to a JSON
 * object (the Java SDK parses them at {@code content_block_stop}) unless the turn stopped at max_tokens.
 */
public final class AnthropicStreamInvariants {
    private static final ObjectMapper MAPPER = new ObjectMapper();

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

    private AnthropicStreamInvariants() {}

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
            if (e.data() == null) {
                continue;
            }
            out.add(new Event(e.event(), json(e.data())));
        }
        return out;
    }

    public static List<Event> parse(String sse) {
        return parse(sse.getBytes(StandardCharsets.UTF_8));
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

    public static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("data is not JSON: " + text, e);
        }
    }

    /** Throws an {@link AssertionError} naming every broken rule, with the stream, when one is broken. */
    public static void check(List<Event> events) {
        List<String> problems = violations(events);
        if (!problems.isEmpty()) {
            StringBuilder sb = new StringBuilder("Anthropic stream invariants broken:\n");
            problems.forEach(p -> sb.append("  - ").append(p).append('\n'));
            sb.append("stream:\n");
            for (int i = 0; i < events.size(); i++) {
                sb.append("  #").append(i).append(' ').append(events.get(i)).append('\n');
            }
            throw new AssertionError(sb.toString());
        }
    }

    /** The broken rules, empty when the stream is well formed. */
    public static List<String> violations(List<Event> events) {
        List<String> p = new ArrayList<>();
        if (events.isEmpty()) {
            p.add("empty stream");
            return p;
        }
        if (!"message_start".equals(events.get(0).name())) {
            p.add("first event is " + events.get(0).name() + ", not message_start");
        }
        int starts = 0;
        int nextIndex = 0;
        int openIndex = -1;
        String openType = null;
        StringBuilder toolJson = null;
        Map<Integer, String> blockTypes = new HashMap<>();
        Map<Integer, Integer> stops = new HashMap<>();
        Map<Integer, String> toolArgs = new HashMap<>();
        Map<Integer, Boolean> signed = new HashMap<>();
        int messageDeltas = 0;
        String stopReason = null;
        String terminal = null;
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            String at = "#" + i + " " + e.name() + ": ";
            if (e.name() == null) {
                p.add(at + "frame has no event: line (the Python and TS SDKs drop it)");
                continue;
            }
            if (!e.name().equals(e.type())) {
                p.add(at + "event name differs from data.type " + e.type());
            }
            if (terminal != null) {
                p.add(at + "event after " + terminal);
                continue;
            }
            switch (e.name()) {
                case "message_start" -> {
                    starts++;
                    if (starts > 1) {
                        p.add(at + "second message_start");
                    }
                    JsonNode m = e.data().path("message");
                    if (!m.path("content").isArray() || !m.path("content").isEmpty()) {
                        p.add(at + "message.content must be []");
                    }
                    if (!m.path("stop_reason").isNull()) {
                        p.add(at + "message.stop_reason must be null");
                    }
                }
                case "ping" -> {
                    // allowed anywhere after message_start
                }
                case "content_block_start" -> {
                    int idx = e.data().path("index").asInt(-1);
                    String type = e.data().path("content_block").path("type").asText();
                    if (openIndex >= 0) {
                        p.add(at + "block " + idx + " starts while block " + openIndex + " is still open");
                    }
                    if (idx != nextIndex) {
                        p.add(at + "index " + idx + " but the next index is " + nextIndex);
                    }
                    nextIndex = Math.max(nextIndex, idx + 1);
                    if (blockTypes.containsKey(idx)) {
                        p.add(at + "second content_block_start for index " + idx);
                    }
                    blockTypes.put(idx, type);
                    JsonNode block = e.data().path("content_block");
                    switch (type) {
                        case "text" -> {
                            if (!"".equals(block.path("text").asText(null))) {
                                p.add(at + "a text block must start empty");
                            }
                        }
                        case "thinking" -> {
                            if (!"".equals(block.path("thinking").asText(null))) {
                                p.add(at + "a thinking block must start empty");
                            }
                        }
                        case "tool_use" -> {
                            if (!block.path("input").isObject() || !block.path("input").isEmpty()) {
                                p.add(at + "a tool_use block must start with input {}");
                            }
                            if (!block.path("id").asText("").matches("^[a-zA-Z0-9_-]+$")) {
                                p.add(at + "tool_use id " + block.path("id") + " does not match ^[a-zA-Z0-9_-]+$");
                            }
                        }
                        default -> p.add(at + "unexpected block type " + type);
                    }
                    openIndex = idx;
                    openType = type;
                    toolJson = new StringBuilder();
                }
                case "content_block_delta" -> {
                    int idx = e.data().path("index").asInt(-1);
                    String dt = e.data().path("delta").path("type").asText();
                    if (idx != openIndex) {
                        p.add(at + "delta for block " + idx + ", but the open block is " + openIndex
                                + (stops.containsKey(idx) ? " (it was already stopped)" : ""));
                        continue;
                    }
                    boolean ok = switch (openType) {
                        case "text" -> dt.equals("text_delta");
                        case "tool_use" -> dt.equals("input_json_delta");
                        case "thinking" -> dt.equals("thinking_delta") || dt.equals("signature_delta");
                        default -> false;
                    };
                    if (!ok) {
                        p.add(at + dt + " inside a " + openType + " block");
                    }
                    if (dt.equals("input_json_delta")) {
                        toolJson.append(e.data().path("delta").path("partial_json").asText());
                    }
                    if (dt.equals("signature_delta")) {
                        signed.put(idx, true);
                    }
                }
                case "content_block_stop" -> {
                    int idx = e.data().path("index").asInt(-1);
                    stops.merge(idx, 1, Integer::sum);
                    if (idx != openIndex) {
                        p.add(at + "stop for block " + idx + ", but the open block is " + openIndex);
                        continue;
                    }
                    if ("tool_use".equals(openType)) {
                        toolArgs.put(idx, toolJson.toString());
                    }
                    if ("thinking".equals(openType) && !signed.containsKey(idx)) {
                        p.add(at + "thinking block closed without a signature_delta (typed SDKs need one)");
                    }
                    openIndex = -1;
                    openType = null;
                }
                case "message_delta" -> {
                    messageDeltas++;
                    if (openIndex >= 0) {
                        p.add(at + "message_delta while block " + openIndex + " is open");
                    }
                    JsonNode d = e.data().path("delta");
                    stopReason = d.path("stop_reason").asText(null);
                    if (stopReason == null) {
                        p.add(at + "message_delta without a stop_reason");
                    }
                    if (!e.data().path("usage").path("output_tokens").isNumber()) {
                        p.add(at + "message_delta.usage.output_tokens is required");
                    }
                }
                case "message_stop" -> {
                    if (messageDeltas == 0) {
                        p.add(at + "message_stop without a message_delta before it");
                    }
                    terminal = "message_stop";
                }
                case "error" -> {
                    if (!e.data().path("error").path("type").isTextual()) {
                        p.add(at + "error event without error.type");
                    }
                    terminal = "error";
                }
                default -> p.add(at + "unknown event name");
            }
        }
        if (starts == 0) {
            p.add("no message_start");
        }
        for (var b : blockTypes.entrySet()) {
            int n = stops.getOrDefault(b.getKey(), 0);
            if (n != 1) {
                p.add("block " + b.getKey() + " (" + b.getValue() + ") has " + n + " content_block_stop events");
            }
        }
        if (messageDeltas > 1) {
            p.add(messageDeltas + " message_delta events (the usage chunk must be held into one)");
        }
        if (!"max_tokens".equals(stopReason)) {
            for (var a : toolArgs.entrySet()) {
                String args = a.getValue();
                if (!args.isEmpty()) {
                    try {
                        if (!MAPPER.readTree(args).isObject()) {
                            p.add("tool block " + a.getKey() + " input is not a JSON object: " + args);
                        }
                    } catch (IOException ex) {
                        p.add("tool block " + a.getKey() + " input is not valid JSON: " + args);
                    }
                }
            }
        }
        if (terminal == null) {
            p.add("stream ends without message_stop or error");
        }
        return p;
    }
}
