package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.responses.ResponsesOutputItem;
import java.util.Set;
import java.util.regex.Pattern;

/** Chat tool calls as Responses output items, shared by the whole-response and the stream translators. */
final class ResponsesToolCalls {
    /**
     * An upstream id is kept as {@code call_id} only when it looks unique: TGI sends {@code "0"} for every call and
     * Kimi-style parsers {@code functions.<name>:<n>}, numbered afresh in each response, while the client echoes call
     * ids in the history it sends back, where two equal ones would pair outputs with the wrong call.
     */
    private static final Pattern KEEPABLE_ID = Pattern.compile("^[A-Za-z0-9_-]{8,128}$");

    private ResponsesToolCalls() {}

    static String callId(String upstreamId, Set<String> used, ResponsesIds ids) {
        String id = upstreamId != null && KEEPABLE_ID.matcher(upstreamId).matches() && !used.contains(upstreamId)
                ? upstreamId : ids.next("call");
        used.add(id);
        return id;
    }

    static String itemPrefix(ResponsesToolRef ref) {
        return switch (ref.kind()) {
            case FUNCTION -> "fc";
            case CUSTOM -> "ctc";
        };
    }

    /**
     * The item for a finished call. Empty arguments become {@code {}} (Codex parses them, and parameterless tools
     * come back with none); arguments that are not JSON pass through for the client to report.
     */
    static ResponsesOutputItem item(ResponsesToolRef ref, String itemId, String status, String callId,
            String arguments) {
        return switch (ref.kind()) {
            case FUNCTION -> new ResponsesOutputItem.FunctionCall(itemId, status, callId, ref.name(), ref.namespace(),
                    arguments.isBlank() ? "{}" : arguments);
            case CUSTOM -> new ResponsesOutputItem.CustomToolCall(itemId, callId, ref.name(), ref.namespace(),
                    customInput(arguments));
        };
    }

    /**
     * The raw input of a custom tool, unwrapped from the one-string function it was offered as
     * ({@code {"input": "..."}}); a model that named the property differently still gets its only string
     * through, and arguments that do not parse are the input themselves (LiteLLM unwrap_custom_tool_arguments).
     */
    static String customInput(String arguments) {
        JsonNode parsed = Json.tryParse(arguments);
        if (parsed == null || !parsed.isObject()) {
            return arguments;
        }
        JsonNode input = parsed.get("input");
        if (input != null && input.isTextual()) {
            return input.asText();
        }
        if (parsed.size() == 1 && parsed.elements().next().isTextual()) {
            return parsed.elements().next().asText();
        }
        return arguments;
    }
}
