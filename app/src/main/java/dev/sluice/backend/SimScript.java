package dev.sluice.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** What the simulator says to one request: deterministic, derived only from the request. */
final class SimScript {
    private static final String[] WORDS = ("Hello from the Sluice simulator. This is not a model: it answers with"
            + " fixed text so clients, tools and pipelines can be tested without a GPU. Point BACKEND_KIND at a real"
            + " runtime such as vllm, ollama or llamacpp to get real answers.").split(" ");
    private static final int DEFAULT_MAX_TOKENS = 48;

    private final ObjectNode req;
    private final String model;
    private final SimConfig sim;
    private final String id;
    private final long created = 1_700_000_000L;

    SimScript(ObjectNode req, String defaultModel, SimConfig sim) {
        this.req = req;
        String m = Json.text(req, "model");
        this.model = m == null || m.isEmpty() ? defaultModel : m;
        this.sim = sim;
        this.id = "sim-" + Integer.toHexString(Json.string(req).hashCode() & 0x7fffffff);
    }

    private int maxTokens() {
        JsonNode n = req.has("max_completion_tokens") ? req.get("max_completion_tokens") : req.get("max_tokens");
        return n != null && n.canConvertToInt() && n.asInt() > 0 ? n.asInt() : DEFAULT_MAX_TOKENS;
    }

    private boolean includeUsage() {
        JsonNode so = req.get("stream_options");
        return so != null && so.path("include_usage").asBoolean(false);
    }

    private int promptTokens(JsonNode input) {
        return Math.max(1, (Json.string(input).length() + 3) / 4);
    }

    /** The tool to call, or null: tools offered, tool_choice not "none", and the last turn is not a tool result. */
    private JsonNode toolToCall() {
        JsonNode tools = req.get("tools");
        if (tools == null || !tools.isArray() || tools.isEmpty()) {
            return null;
        }
        JsonNode choice = req.get("tool_choice");
        if (choice != null && "none".equals(choice.asText())) {
            return null;
        }
        JsonNode messages = req.path("messages");
        if (messages.isArray() && !messages.isEmpty()
                && "tool".equals(messages.get(messages.size() - 1).path("role").asText())) {
            return null;
        }
        if (choice != null && choice.isObject()) {
            String name = choice.path("function").path("name").asText();
            for (JsonNode t : tools) {
                if (name.equals(t.path("function").path("name").asText())) {
                    return t;
                }
            }
        }
        return tools.get(0);
    }

    private List<String> tokens() {
        JsonNode messages = req.path("messages");
        List<String> out = new ArrayList<>();
        if (messages.isArray() && !messages.isEmpty()) {
            JsonNode last = messages.get(messages.size() - 1);
            if ("tool".equals(last.path("role").asText())) {
                out.add("The");
                out.add(" tool");
                out.add(" returned:");
                String content = last.path("content").isTextual() ? last.path("content").asText()
                        : Json.string(last.path("content"));
                for (String w : content.split(" ")) {
                    out.add(" " + w);
                }
                return cap(out);
            }
        }
        for (int i = 0; i < WORDS.length; i++) {
            out.add(i == 0 ? WORDS[i] : " " + WORDS[i]);
        }
        return cap(out);
    }

    private List<String> cap(List<String> t) {
        int max = maxTokens();
        return t.size() > max ? t.subList(0, max) : t;
    }

    private String finish(List<String> tokens, int max) {
        return tokens.size() >= max && tokens.size() < fullLength() ? "length" : "stop";
    }

    private int fullLength() {
        return WORDS.length + 1000;
    }

    private static ObjectNode arguments(JsonNode tool) {
        ObjectNode args = Json.object();
        JsonNode params = tool.path("function").path("parameters");
        JsonNode props = params.path("properties");
        JsonNode required = params.path("required");
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            var e = it.next();
            boolean req = !required.isArray() || required.isEmpty();
            for (JsonNode r : required) {
                req |= r.asText().equals(e.getKey());
            }
            if (!req) {
                continue;
            }
            String type = e.getValue().path("type").asText("string");
            switch (type) {
                case "integer", "number" -> args.put(e.getKey(), 1);
                case "boolean" -> args.put(e.getKey(), true);
                case "array" -> args.putArray(e.getKey());
                case "object" -> args.putObject(e.getKey());
                default -> {
                    JsonNode en = e.getValue().path("enum");
                    args.put(e.getKey(), en.isArray() && !en.isEmpty() ? en.get(0).asText()
                            : e.getKey().toLowerCase().contains("city") || e.getKey().toLowerCase().contains("location")
                                    ? "Paris" : "sim");
                }
            }
        }
        return args;
    }

    private ObjectNode usage(int prompt, int completion) {
        ObjectNode u = Json.object();
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
        return u;
    }

    private ObjectNode base(String object) {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("object", object);
        o.put("created", created);
        o.put("model", model);
        return o;
    }

    private String callId() {
        return "call_" + Integer.toHexString(id.hashCode() & 0xfffffff);
    }

    JsonNode chatCompletion() {
        ObjectNode o = base("chat.completion");
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode msg = choice.putObject("message");
        msg.put("role", "assistant");
        int prompt = promptTokens(req.path("messages"));
        JsonNode tool = toolToCall();
        int completion;
        if (tool != null) {
            msg.putNull("content");
            ObjectNode call = msg.putArray("tool_calls").addObject();
            call.put("id", callId());
            call.put("type", "function");
            String args = Json.string(arguments(tool));
            call.putObject("function").put("name", tool.path("function").path("name").asText())
                    .put("arguments", args);
            choice.put("finish_reason", "tool_calls");
            completion = Math.max(1, args.length() / 4);
        } else {
            List<String> t = tokens();
            msg.put("content", String.join("", t));
            choice.put("finish_reason", finish(t, maxTokens()));
            completion = t.size();
        }
        o.set("usage", usage(prompt, completion));
        return o;
    }

    List<JsonNode> chatChunks() {
        List<JsonNode> out = new ArrayList<>();
        ObjectNode first = chunk();
        first.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                .putObject("delta").put("role", "assistant").put("content", "");
        out.add(first);
        int prompt = promptTokens(req.path("messages"));
        JsonNode tool = toolToCall();
        int completion;
        String finish;
        if (tool != null) {
            String args = Json.string(arguments(tool));
            int half = args.length() / 2;
            ObjectNode head = chunk();
            ObjectNode tc = head.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                    .putObject("delta").putArray("tool_calls").addObject();
            tc.put("index", 0).put("id", callId()).put("type", "function");
            tc.putObject("function").put("name", tool.path("function").path("name").asText()).put("arguments", "");
            out.add(head);
            for (String part : new String[] {args.substring(0, half), args.substring(half)}) {
                ObjectNode c = chunk();
                c.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                        .putObject("delta").putArray("tool_calls").addObject().put("index", 0)
                        .putObject("function").put("arguments", part);
                out.add(c);
            }
            completion = Math.max(1, args.length() / 4);
            finish = "tool_calls";
        } else {
            List<String> t = tokens();
            for (String tok : t) {
                ObjectNode c = chunk();
                c.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                        .putObject("delta").put("content", tok);
                out.add(c);
            }
            completion = t.size();
            finish = finish(t, maxTokens());
        }
        ObjectNode end = chunk();
        end.withArray("choices").addObject().put("index", 0).put("finish_reason", finish).putObject("delta");
        out.add(end);
        if (includeUsage()) {
            ObjectNode u = chunk();
            u.putArray("choices");
            u.set("usage", usage(prompt, completion));
            out.add(u);
        }
        return out;
    }

    private ObjectNode chunk() {
        return base("chat.completion.chunk");
    }

    JsonNode completion() {
        ObjectNode o = base("text_completion");
        List<String> t = tokens();
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0).put("text", String.join("", t)).putNull("logprobs");
        choice.put("finish_reason", finish(t, maxTokens()));
        o.set("usage", usage(promptTokens(req.path("prompt")), t.size()));
        return o;
    }

    List<JsonNode> completionChunks() {
        List<JsonNode> out = new ArrayList<>();
        List<String> t = tokens();
        for (String tok : t) {
            ObjectNode c = base("text_completion");
            c.putArray("choices").addObject().put("index", 0).put("text", tok).putNull("logprobs")
                    .putNull("finish_reason");
            out.add(c);
        }
        ObjectNode end = base("text_completion");
        end.putArray("choices").addObject().put("index", 0).put("text", "").putNull("logprobs")
                .put("finish_reason", finish(t, maxTokens()));
        out.add(end);
        if (includeUsage()) {
            ObjectNode u = base("text_completion");
            u.putArray("choices");
            u.set("usage", usage(promptTokens(req.path("prompt")), t.size()));
            out.add(u);
        }
        return out;
    }

    JsonNode embeddings() {
        JsonNode input = req.path("input");
        List<String> inputs = new ArrayList<>();
        if (input.isArray()) {
            input.forEach(i -> inputs.add(Json.string(i)));
        } else {
            inputs.add(Json.string(input));
        }
        int dims = req.path("dimensions").canConvertToInt() && req.path("dimensions").asInt() > 0
                ? Math.min(req.path("dimensions").asInt(), 8192) : sim.embeddingDimensions();
        boolean base64 = "base64".equals(Json.text(req, "encoding_format"));
        ObjectNode o = Json.object();
        o.put("object", "list");
        ArrayNode data = o.putArray("data");
        int tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            float[] v = vector(inputs.get(i), dims);
            ObjectNode e = data.addObject();
            e.put("object", "embedding");
            e.put("index", i);
            if (base64) {
                ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : v) {
                    bb.putFloat(f);
                }
                e.put("embedding", Base64.getEncoder().encodeToString(bb.array()));
            } else {
                ArrayNode arr = e.putArray("embedding");
                for (float f : v) {
                    arr.add(f);
                }
            }
            tokens += Math.max(1, inputs.get(i).length() / 4);
        }
        o.put("model", model);
        o.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        return o;
    }

    /** A unit vector seeded by the text: equal texts embed equally, different texts differently. */
    static float[] vector(String text, int dims) {
        long seed = 1125899906842597L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            seed = 31 * seed + b;
        }
        float[] v = new float[dims];
        double norm = 0;
        long x = seed;
        for (int i = 0; i < dims; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            v[i] = (float) ((x % 10_000) / 10_000.0);
            norm += v[i] * v[i];
        }
        float n = (float) Math.sqrt(norm == 0 ? 1 : norm);
        for (int i = 0; i < dims; i++) {
            v[i] /= n;
        }
        return v;
    }
}
