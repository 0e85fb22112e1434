package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;

/**
 * The request fields a Response repeats (responses-api.md §3). The SDKs require {@code model}, {@code tools},
 * {@code tool_choice} and {@code parallel_tool_calls}, and read the rest; each gets the request's value or the
 * API's default.
 */
final class ResponsesEcho {
    private ResponsesEcho() {}

    static ObjectNode of(JsonNode req, String clientModel) {
        ObjectNode e = Json.object();
        e.put("background", false);
        copy(req, e, "instructions", Json.NODES.nullNode());
        copy(req, e, "max_output_tokens", Json.NODES.nullNode());
        copy(req, e, "max_tool_calls", Json.NODES.nullNode());
        copy(req, e, "metadata", Json.object());
        e.put("model", clientModel);
        copy(req, e, "parallel_tool_calls", Json.NODES.booleanNode(true));
        copy(req, e, "previous_response_id", Json.NODES.nullNode());
        copy(req, e, "prompt_cache_key", Json.NODES.nullNode());
        ObjectNode reasoning = Json.object().putNull("effort").putNull("summary");
        if (req.path("reasoning").isObject()) {
            reasoning.setAll((ObjectNode) req.get("reasoning").deepCopy());
        }
        e.set("reasoning", reasoning);
        copy(req, e, "safety_identifier", Json.NODES.nullNode());
        e.put("service_tier", "default"); // never forwarded: local runtimes have no tiers
        e.put("store", false); // nothing is kept, whatever the client asked (SDKs default store to true)
        copy(req, e, "temperature", Json.NODES.nullNode());
        ObjectNode text = Json.object();
        text.putObject("format").put("type", "text");
        if (req.path("text").isObject()) {
            text.setAll((ObjectNode) req.get("text").deepCopy());
        }
        e.set("text", text);
        copy(req, e, "tool_choice", Json.NODES.textNode("auto"));
        copy(req, e, "tools", Json.NODES.arrayNode());
        copy(req, e, "top_logprobs", Json.NODES.nullNode());
        copy(req, e, "top_p", Json.NODES.nullNode());
        copy(req, e, "truncation", Json.NODES.textNode("disabled"));
        copy(req, e, "user", Json.NODES.nullNode());
        return e;
    }

    private static void copy(JsonNode from, ObjectNode to, String field, JsonNode fallback) {
        JsonNode v = from.get(field);
        to.set(field, v == null || v.isNull() ? fallback : v.deepCopy());
    }
}
