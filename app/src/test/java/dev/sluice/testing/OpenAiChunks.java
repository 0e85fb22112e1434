package dev.sluice.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** OpenAI chat-completion bodies and stream chunks, for scripting a {@link FakeRuntime} by hand. */
public final class OpenAiChunks {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private OpenAiChunks() {}

    private static ObjectNode base(String object) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("id", "chatcmpl-fake");
        o.put("object", object);
        o.put("created", 1_700_000_000L);
        o.put("model", "fake-model");
        return o;
    }

    /** A chunk with one choice whose delta is {@code deltaJson}; {@code finish} may be null. */
    public static String chunk(String deltaJson, String finish) {
        ObjectNode o = base("chat.completion.chunk");
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", json(deltaJson));
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return o.toString();
    }

    public static String role() {
        return chunk("{\"role\":\"assistant\",\"content\":\"\"}", null);
    }

    public static String content(String text) {
        return chunk(MAPPER.createObjectNode().put("content", text).toString(), null);
    }

    public static String reasoning(String field, String text) {
        return chunk(MAPPER.createObjectNode().put(field, text).toString(), null);
    }

    /** The first delta of a tool call: index, id, name and (possibly empty) arguments. */
    public static String toolCall(int index, String id, String name, String arguments) {
        ObjectNode delta = MAPPER.createObjectNode();
        ObjectNode tc = delta.putArray("tool_calls").addObject();
        tc.put("index", index).put("id", id).put("type", "function");
        tc.putObject("function").put("name", name).put("arguments", arguments);
        return chunk(delta.toString(), null);
    }

    public static String toolArguments(int index, String fragment) {
        ObjectNode delta = MAPPER.createObjectNode();
        delta.putArray("tool_calls").addObject().put("index", index).putObject("function").put("arguments", fragment);
        return chunk(delta.toString(), null);
    }

    public static String finish(String reason) {
        return chunk("{}", reason);
    }

    public static String usage(int prompt, int completion) {
        ObjectNode o = base("chat.completion.chunk");
        o.putArray("choices");
        o.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
        return o.toString();
    }

    /** A complete non-streaming response with text content. */
    public static String completion(String text, String finish, int prompt, int completion) {
        ObjectNode o = base("chat.completion");
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", text);
        choice.put("finish_reason", finish);
        o.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
        return o.toString();
    }

    /** A complete non-streaming response with one tool call and no text. */
    public static String toolCompletion(String id, String name, String arguments, int prompt, int completion) {
        ObjectNode o = base("chat.completion");
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode msg = choice.putObject("message").put("role", "assistant");
        msg.putNull("content");
        ArrayNode calls = msg.putArray("tool_calls");
        ObjectNode tc = calls.addObject().put("id", id).put("type", "function");
        tc.putObject("function").put("name", name).put("arguments", arguments);
        choice.put("finish_reason", "tool_calls");
        o.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
        return o.toString();
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
