package dev.sluice.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Seeded, structure-aware mutations for the fuzz run of every build: event-level edits of a stream (drop,
 * duplicate, reorder, splice, cut, an empty {@code data:}, a BOM, other line ends), JSON edits of one event or of
 * a request (a value of another type, a key removed, a number at an edge), byte flips, and requests generated
 * from scratch in the shape of real ones. Deterministic for a given {@link Random}.
 */
final class Mutator {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String[] WORDS = {"", " ", "\n\n", "<think>", "</think>", "</th", "END", "###", "{", "}",
            "{\"a\":", "\"Paris\"}", "null", "0", "\u00e9\u4e2d\ud83d\ude00", "tool_use", "text", "thinking",
            "assistant", "user", "system", "tool", "stop", "length", "tool_calls", "stop_sequence", "error",
            "message_stop", "[DONE]", "call_0", "0", "toolu_01", "get_weather", "x".repeat(300)};
    private static final String[] KEYS = {"role", "content", "type", "text", "id", "index", "name", "arguments",
            "tool_calls", "delta", "choices", "finish_reason", "usage", "error", "input", "tool_use_id", "thinking",
            "signature", "source", "max_tokens", "stream", "tools", "tool_choice", "stop_sequences", "stop",
            "reasoning_content", "reasoning", "function", "messages", "system", "model", "input_schema",
            "parameters", "n", "response_format", "logprobs", "prompt_tokens", "completion_tokens", "stop_reason",
            "matched_stop", "partial_json", "content_block", "message", "output_config", "reasoning_effort"};

    private final Random r;

    Mutator(Random r) {
        this.r = r;
    }

    /** A mutated copy of an SSE body. */
    byte[] stream(byte[] seed, List<byte[]> others) {
        List<String> events = events(new String(seed, StandardCharsets.UTF_8));
        int edits = 1 + r.nextInt(4);
        for (int i = 0; i < edits; i++) {
            int at = events.isEmpty() ? 0 : r.nextInt(events.size());
            switch (r.nextInt(12)) {
                case 0 -> {
                    if (!events.isEmpty()) {
                        events.remove(at);
                    }
                }
                case 1 -> {
                    if (!events.isEmpty()) {
                        events.add(at, events.get(at));
                    }
                }
                case 2 -> {
                    if (events.size() > 1) {
                        int b = r.nextInt(events.size());
                        String x = events.get(at);
                        events.set(at, events.get(b));
                        events.set(b, x);
                    }
                }
                case 3 -> {
                    List<String> other = events(new String(others.get(r.nextInt(others.size())),
                            StandardCharsets.UTF_8));
                    if (!other.isEmpty()) {
                        events.add(at, other.get(r.nextInt(other.size())));
                    }
                }
                case 4 -> events.add(at, r.nextBoolean() ? "data:" : "data: ");
                case 5 -> events.add(at, r.nextBoolean() ? ": keep-alive" : "data: [DONE]");
                case 6, 7, 8 -> {
                    if (!events.isEmpty()) {
                        events.set(at, mutateEvent(events.get(at)));
                    }
                }
                case 9 -> {
                    if (!events.isEmpty()) {
                        events = new ArrayList<>(events.subList(0, at)); // the connection dropped
                    }
                }
                case 10 -> events.add(at, "data: " + json(randomValue(2)));
                default -> events.add(at, "event: " + pick(WORDS) + "\ndata: " + json(randomObject(2)));
            }
        }
        StringBuilder sb = new StringBuilder();
        String eol = switch (r.nextInt(10)) {
            case 0 -> "\r\n";
            case 1 -> "\r";
            default -> "\n";
        };
        for (String e : events) {
            sb.append(e.replace("\n", eol)).append(eol).append(eol);
        }
        byte[] out = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (r.nextInt(20) == 0) {
            out = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, out);
        }
        if (r.nextInt(5) == 0) {
            out = bytes(out);
        }
        if (r.nextInt(10) == 0 && out.length > 0) {
            out = java.util.Arrays.copyOf(out, r.nextInt(out.length)); // cut mid-event
        }
        return out;
    }

    private static List<String> events(String body) {
        List<String> out = new ArrayList<>();
        for (String e : body.replace("\r\n", "\n").split("\n\n")) {
            if (!e.isBlank()) {
                out.add(e.strip());
            }
        }
        return out;
    }

    private String mutateEvent(String event) {
        int d = event.indexOf("data:");
        if (d < 0) {
            return event;
        }
        String data = event.substring(d + 5).strip();
        JsonNode n = Json.tryParse(data);
        if (n == null) {
            return event.substring(0, d) + "data: " + data + pick(WORDS);
        }
        return event.substring(0, d) + "data: " + json(mutateJson(n, 1 + r.nextInt(3)));
    }

    /** A mutated copy of a JSON request (or of bytes that are not JSON, byte by byte). */
    byte[] request(byte[] seed) {
        JsonNode n = Json.tryParse(seed);
        if (n == null || r.nextInt(10) == 0) {
            return bytes(seed);
        }
        return json(mutateJson(n, 1 + r.nextInt(5))).getBytes(StandardCharsets.UTF_8);
    }

    JsonNode mutateJson(JsonNode root, int edits) {
        JsonNode copy = root.deepCopy();
        for (int i = 0; i < edits; i++) {
            List<JsonNode> containers = new ArrayList<>();
            collect(copy, containers);
            if (containers.isEmpty()) {
                return randomValue(2);
            }
            JsonNode c = containers.get(r.nextInt(containers.size()));
            if (c instanceof ObjectNode o) {
                List<String> names = new ArrayList<>();
                o.fieldNames().forEachRemaining(names::add);
                switch (r.nextInt(4)) {
                    case 0 -> {
                        if (!names.isEmpty()) {
                            o.remove(names.get(r.nextInt(names.size())));
                        }
                    }
                    case 1 -> o.set(pick(KEYS), randomValue(2));
                    default -> {
                        if (!names.isEmpty()) {
                            o.set(names.get(r.nextInt(names.size())), randomValue(2));
                        }
                    }
                }
            } else if (c instanceof ArrayNode a) {
                switch (r.nextInt(4)) {
                    case 0 -> {
                        if (!a.isEmpty()) {
                            a.remove(r.nextInt(a.size()));
                        }
                    }
                    case 1 -> {
                        if (!a.isEmpty()) {
                            a.add(a.get(r.nextInt(a.size())).deepCopy());
                        }
                    }
                    case 2 -> a.add(randomValue(2));
                    default -> {
                        if (!a.isEmpty()) {
                            a.set(r.nextInt(a.size()), randomValue(2));
                        }
                    }
                }
            }
        }
        return copy;
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
                collect(it.next(), out);
            }
        }
    }

    JsonNode randomValue(int depth) {
        return switch (r.nextInt(depth <= 0 ? 6 : 8)) {
            case 0 -> F.nullNode();
            case 1 -> F.booleanNode(r.nextBoolean());
            case 2 -> F.numberNode(switch (r.nextInt(6)) {
                case 0 -> 0;
                case 1 -> -1;
                case 2 -> Integer.MAX_VALUE;
                case 3 -> Long.MIN_VALUE;
                default -> r.nextInt(100_000);
            });
            case 3 -> F.numberNode(r.nextBoolean() ? 1.5 : -0.0);
            case 4, 5 -> F.textNode(pick(WORDS));
            case 6 -> randomObject(depth - 1);
            default -> {
                ArrayNode a = F.arrayNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    a.add(randomValue(depth - 1));
                }
                yield a;
            }
        };
    }

    ObjectNode randomObject(int depth) {
        ObjectNode o = F.objectNode();
        for (int i = r.nextInt(5); i > 0; i--) {
            o.set(pick(KEYS), randomValue(depth - 1));
        }
        return o;
    }

    /**
     * An Anthropic Messages request in the shape clients send: random turns, each a random mix of the block types
     * (some malformed), tools, tool_choice, thinking, stop sequences and limits at their edges.
     */
    ObjectNode anthropicRequest() {
        ObjectNode req = F.objectNode();
        req.put("model", pick(new String[] {"claude", "gpt-5-mini", "qwen3-mistral"}));
        req.set("max_tokens", pick(new JsonNode[] {F.numberNode(1024), F.numberNode(0), F.numberNode(-5),
                F.numberNode(Long.MAX_VALUE), F.textNode("10")}));
        if (r.nextBoolean()) {
            req.put("stream", r.nextBoolean());
        }
        if (r.nextBoolean()) {
            req.set("system", r.nextBoolean() ? F.textNode(pick(WORDS))
                    : F.arrayNode().add(F.objectNode().put("type", "text").put("text", pick(WORDS))));
        }
        ArrayNode messages = req.putArray("messages");
        List<String> ids = new ArrayList<>();
        for (int i = r.nextInt(6); i >= 0; i--) {
            String role = r.nextInt(8) == 0 ? pick(new String[] {"system", "tool", "x"})
                    : (messages.size() % 2 == 0 ? "user" : "assistant");
            ObjectNode m = messages.addObject().put("role", role);
            if (r.nextInt(4) == 0) {
                m.put("content", pick(WORDS));
                continue;
            }
            ArrayNode content = m.putArray("content");
            for (int b = r.nextInt(4); b >= 0; b--) {
                content.add(block(role, ids));
            }
        }
        if (r.nextBoolean()) {
            ArrayNode tools = req.putArray("tools");
            tools.addObject().put("name", "get_weather").set("input_schema", r.nextBoolean()
                    ? F.objectNode().put("type", "object") : randomValue(1));
            if (r.nextBoolean()) {
                tools.addObject().put("type", "web_search_20250305").put("name", "web_search");
            }
            if (r.nextBoolean()) {
                tools.addObject().put("name", "x".repeat(80));
            }
        }
        if (r.nextBoolean()) {
            req.set("tool_choice", F.objectNode().put("type", pick(new String[] {"auto", "any", "none", "tool"}))
                    .put("name", "get_weather").put("disable_parallel_tool_use", r.nextBoolean()));
        }
        if (r.nextBoolean()) {
            req.set("thinking", F.objectNode().put("type", pick(new String[] {"enabled", "disabled", "adaptive"}))
                    .set("budget_tokens", randomValue(0)));
        }
        if (r.nextBoolean()) {
            ArrayNode stops = req.putArray("stop_sequences");
            for (int i = r.nextInt(7); i > 0; i--) {
                stops.add(pick(WORDS));
            }
        }
        if (r.nextBoolean()) {
            req.set("output_config", F.objectNode().put("effort", pick(new String[] {"low", "max", "x"})));
        }
        for (String k : new String[] {"temperature", "top_p", "top_k"}) {
            if (r.nextBoolean()) {
                req.set(k, randomValue(0));
            }
        }
        return req;
    }

    private ObjectNode block(String role, List<String> ids) {
        ObjectNode b = F.objectNode();
        switch (r.nextInt(9)) {
            case 0 -> b.put("type", "text").put("text", pick(WORDS));
            case 1 -> b.put("type", "thinking").put("thinking", pick(WORDS)).put("signature",
                    r.nextBoolean() ? "" : "EqQB");
            case 2 -> {
                String id = r.nextBoolean() ? "toolu_" + r.nextInt(5) : pick(WORDS);
                ids.add(id);
                b.put("type", "tool_use").put("id", id).put("name", "get_weather").set("input", randomValue(1));
            }
            case 3 -> b.put("type", "tool_result").put("tool_use_id", ids.isEmpty() || r.nextInt(5) == 0
                    ? pick(WORDS) : ids.get(r.nextInt(ids.size()))).set("content", r.nextBoolean()
                    ? F.textNode(pick(WORDS)) : F.arrayNode().add(F.objectNode().put("type", "text")
                    .put("text", pick(WORDS))));
            case 4 -> b.put("type", "image").set("source", F.objectNode().put("type",
                    pick(new String[] {"base64", "url", "file"})).put("media_type", "image/png").put("data", "AA")
                    .put("url", "https://example.com/a.png"));
            case 5 -> b.put("type", "document").set("source", F.objectNode().put("type",
                    pick(new String[] {"text", "content", "base64"})).put("data", pick(WORDS)));
            case 6 -> b.put("type", "redacted_thinking").put("data", "abc");
            case 7 -> b.set("type", randomValue(0));
            default -> b.setAll(randomObject(2));
        }
        return b;
    }

    private byte[] bytes(byte[] in) {
        byte[] out = in.clone();
        for (int i = 1 + r.nextInt(4); i > 0 && out.length > 0; i--) {
            out[r.nextInt(out.length)] = (byte) r.nextInt(256);
        }
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(a);
        o.writeBytes(b);
        return o.toByteArray();
    }

    private <T> T pick(T[] options) {
        return options[r.nextInt(options.length)];
    }

    private static String json(JsonNode n) {
        return Json.string(n);
    }
}
