package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Responses {@code tools} and {@code tool_choice} to chat (responses-api.md §2.5, §2.6).
 *
 * <p>Chat function names: a top-level tool keeps its name; a member of a {@code namespace} group becomes
 * {@code <namespace>__<name>} (chat has no groups, and Codex needs the namespace back as its own field); a
 * {@code custom} tool becomes a function taking one string, {@code {"input": "..."}}. A name outside chat's
 * {@code ^[A-Za-z0-9_-]{1,64}$} becomes {@code <55 sanitized chars>_<8 hex of sha256>}. The same rule names the
 * calls replayed from history, so a call comes back under the name the tool was offered with. The response
 * side restores the client's tool from {@link ResponsesRequest#tools()}.
 */
final class ResponsesTools {
    static final String NAMESPACE_SEPARATOR = "__";
    private static final Pattern CHAT_NAME = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
    private static final Pattern ILLEGAL = Pattern.compile("[^A-Za-z0-9_-]");

    /**
     * @param tools the chat tools, empty when none is left
     * @param toolChoice the chat tool_choice, or null to leave it out
     */
    record Result(ArrayNode tools, JsonNode toolChoice, Map<String, ResponsesToolRef> refs, List<String> dropped) {}

    private final ResponsesOptions options;
    private final Map<String, ResponsesToolRef> refs = new LinkedHashMap<>();
    private final Map<String, ObjectNode> chatTools = new LinkedHashMap<>();
    private final List<String> dropped = new ArrayList<>();

    private ResponsesTools(ResponsesOptions options) {
        this.options = options;
    }

    static Result translate(JsonNode tools, JsonNode toolChoice, ResponsesOptions options) {
        return new ResponsesTools(options).run(tools, toolChoice);
    }

    /** The chat function name of a client tool; see the class comment. */
    static String chatName(String namespace, String name) {
        String raw = namespace == null || namespace.isEmpty() ? name : namespace + NAMESPACE_SEPARATOR + name;
        if (CHAT_NAME.matcher(raw).matches()) {
            return raw;
        }
        String clean = ILLEGAL.matcher(raw).replaceAll("_");
        return clean.substring(0, Math.min(55, clean.length())) + "_" + sha256Hex(raw).substring(0, 8);
    }

    private Result run(JsonNode tools, JsonNode toolChoice) {
        if (tools != null && tools.isArray()) {
            for (int i = 0; i < tools.size(); i++) {
                tool(tools.get(i), null, "tools[" + i + "]");
            }
        }
        JsonNode choice = choice(toolChoice);
        ArrayNode out = Json.NODES.arrayNode();
        chatTools.values().forEach(out::add);
        return new Result(out, out.isEmpty() ? null : choice, refs, dropped);
    }

    private void tool(JsonNode t, String namespace, String where) {
        String type = Json.text(t, "type");
        if ("function".equals(type)) {
            function(t, namespace, where);
        } else if ("custom".equals(type)) {
            custom(t, namespace, where);
        } else if ("namespace".equals(type) && namespace == null) {
            String ns = requiredName(t, where);
            JsonNode members = t.path("tools");
            for (int i = 0; i < members.size(); i++) {
                tool(members.get(i), ns, where + ".tools[" + i + "]");
            }
        } else {
            // hosted tools (web_search, file_search, mcp, local_shell…) cannot run on a chat backend; Codex sends
            // web_search on every turn, so refusing them would break every Codex request (responses-api.md §2.5.4)
            dropped.add(type == null ? "unknown" : type);
        }
    }

    private void function(JsonNode t, String namespace, String where) {
        String name = requiredName(t, where);
        ObjectNode fn = Json.object();
        fn.put("name", register(new ResponsesToolRef(ResponsesToolRef.Kind.FUNCTION, namespace, name), where));
        String description = Json.text(t, "description");
        if (description != null) {
            fn.put("description", description);
        }
        JsonNode params = t.get("parameters");
        fn.set("parameters", params != null && params.isObject() ? params : emptySchema());
        JsonNode strict = t.get("strict");
        if (options.strictTools() && strict != null && strict.isBoolean()) {
            fn.set("strict", strict);
        }
        add(fn);
    }

    /**
     * A freeform tool as a function of one string. A grammar is appended to the description, as LiteLLM does:
     * whether a runtime can enforce it through constrained decoding is unverified (responses-api.md §2.5.3).
     */
    private void custom(JsonNode t, String namespace, String where) {
        String name = requiredName(t, where);
        ObjectNode fn = Json.object();
        fn.put("name", register(new ResponsesToolRef(ResponsesToolRef.Kind.CUSTOM, namespace, name), where));
        StringBuilder description = new StringBuilder(t.path("description").asText(""));
        JsonNode format = t.path("format");
        if ("grammar".equals(Json.text(format, "type")) && format.hasNonNull("definition")) {
            description.append(description.isEmpty() ? "" : "\n\n").append("Format:\n```")
                    .append(format.path("syntax").asText("")).append('\n').append(format.path("definition").asText())
                    .append("\n```");
        }
        if (!description.isEmpty()) {
            fn.put("description", description.toString());
        }
        ObjectNode params = fn.putObject("parameters");
        params.put("type", "object");
        params.putObject("properties").putObject("input").put("type", "string")
                .put("description", "The raw input for the tool, as plain text (not JSON).");
        params.putArray("required").add("input");
        params.put("additionalProperties", false);
        add(fn);
    }

    private void add(ObjectNode fn) {
        ObjectNode tool = Json.object().put("type", "function");
        tool.set("function", fn);
        chatTools.put(fn.get("name").asText(), tool);
    }

    private String register(ResponsesToolRef ref, String where) {
        String chat = chatName(ref.namespace(), ref.name());
        ResponsesToolRef before = refs.putIfAbsent(chat, ref);
        if (before != null) {
            throw GatewayException.invalid(where + ": two tools become the chat function '" + chat + "' (" + label(before)
                    + " and " + label(ref) + "); rename one of them", "tools");
        }
        return chat;
    }

    private static String label(ResponsesToolRef ref) {
        return ref.namespace() == null ? ref.name() : ref.namespace() + "." + ref.name();
    }

    private static String requiredName(JsonNode t, String where) {
        String name = Json.text(t, "name");
        if (name == null || name.isEmpty()) {
            throw GatewayException.invalid(where + ".name: a " + Json.text(t, "type") + " tool needs a name", "tools");
        }
        return name;
    }

    private static ObjectNode emptySchema() {
        ObjectNode s = Json.object().put("type", "object");
        s.putObject("properties");
        return s;
    }

    private JsonNode choice(JsonNode choice) {
        if (choice == null || choice.isNull()) {
            return null;
        }
        if (choice.isTextual()) {
            String mode = choice.asText();
            switch (mode) {
                case "none" -> {
                    if (!options.toolChoice()) {
                        chatTools.clear(); // a runtime without tool_choice still honours "no tools"
                    }
                }
                case "auto" -> { }
                case "required" -> requireSome("\"required\"");
                default -> throw GatewayException.invalid("tool_choice: unknown value \"" + mode
                        + "\"; use \"none\", \"auto\", \"required\" or an object", "tool_choice");
            }
            return options.toolChoice() ? choice : null;
        }
        String type = Json.text(choice, "type");
        if ("function".equals(type) || "custom".equals(type)) {
            String chat = find(type, Json.text(choice, "name"));
            ObjectNode named = Json.object().put("type", "function");
            named.putObject("function").put("name", chat);
            return options.toolChoice() ? named : null;
        }
        if ("allowed_tools".equals(type)) {
            return allowed(choice);
        }
        throw GatewayException.invalid("tool_choice: \"" + type + "\" needs a tool that runs on OpenAI's servers or"
                + " in the client's runtime, which a chat-completions backend cannot call; use \"auto\", \"required\""
                + " or a function tool", "tool_choice");
    }

    /** A named choice: the top-level tool of that name, else the first namespace member of that name. */
    private String find(String type, String name) {
        ResponsesToolRef.Kind kind = "custom".equals(type) ? ResponsesToolRef.Kind.CUSTOM : ResponsesToolRef.Kind.FUNCTION;
        String member = null;
        for (Map.Entry<String, ResponsesToolRef> e : refs.entrySet()) {
            ResponsesToolRef r = e.getValue();
            if (r.kind() == kind && r.name().equals(name) && chatTools.containsKey(e.getKey())) {
                if (r.namespace() == null) {
                    return e.getKey();
                }
                member = member == null ? e.getKey() : member;
            }
        }
        if (member == null) {
            throw GatewayException.invalid("tool_choice: no " + type + " tool named '" + name + "' in tools",
                    "tool_choice");
        }
        return member;
    }

    /** {@code allowed_tools}: offer only the listed tools, with the given mode. */
    private JsonNode allowed(JsonNode choice) {
        List<String> keep = new ArrayList<>();
        for (JsonNode t : choice.path("tools")) {
            String type = Json.text(t, "type");
            String name = Json.text(t, "name");
            refs.forEach((chat, r) -> {
                boolean byName = ("function".equals(type) && r.kind() == ResponsesToolRef.Kind.FUNCTION
                        || "custom".equals(type) && r.kind() == ResponsesToolRef.Kind.CUSTOM) && r.name().equals(name)
                        && (!t.has("namespace") || t.path("namespace").asText().equals(r.namespace()));
                boolean byGroup = "namespace".equals(type) && name != null && name.equals(r.namespace());
                if (byName || byGroup) {
                    keep.add(chat);
                }
            });
        }
        chatTools.keySet().retainAll(keep);
        String mode = choice.path("mode").asText("auto");
        if (!"auto".equals(mode) && !"required".equals(mode)) {
            throw GatewayException.invalid("tool_choice.mode: use \"auto\" or \"required\"", "tool_choice");
        }
        if ("required".equals(mode)) {
            requireSome("allowed_tools with mode \"required\"");
        }
        return options.toolChoice() ? Json.NODES.textNode(mode) : null;
    }

    private void requireSome(String what) {
        if (chatTools.isEmpty()) {
            throw GatewayException.invalid("tool_choice: " + what + " needs a function or custom tool, and none is"
                    + " left" + (dropped.isEmpty() ? "" : " (hosted tools cannot run on this backend: "
                    + String.join(", ", dropped) + ")"), "tool_choice");
        }
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
