package dev.sluice.translate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.responses.ResponsesUsage;
import java.util.List;
import java.util.Map;

/**
 * A Responses request translated for an OpenAI chat backend, with what the response side needs.
 *
 * @param chat the chat-completions body to send upstream
 * @param clientModel the model the client asked for, echoed in the Response
 * @param stream the client asked for a stream (the chat body then asks for usage)
 * @param tools chat function name to the client's tool, to restore {@code namespace} and custom tools
 * @param droppedTools types of the hosted tools that were left out ({@code web_search}…), for a response header
 * @param droppedItems types of the input items that were left out (hosted-tool history), for the log
 * @param reasoningSummary stream reasoning as summary events (the client set {@code reasoning.summary}; Codex
 *     displays summaries) rather than as raw {@code reasoning_text}
 * @param splitThinkTags a leading {@code <think>} block in the content is reasoning
 * @param promptCacheKey the client's {@code prompt_cache_key}, a sticky-routing key for prefix-cache affinity; null
 *     when absent
 * @param estimatedInputTokens chars/4 estimate of the prompt, for usage when the backend reports none
 * @param echo the request fields a Response repeats (model, instructions, tools, tool_choice, text, …)
 */
public record ResponsesRequest(ObjectNode chat, String clientModel, boolean stream,
        Map<String, ResponsesToolRef> tools, List<String> droppedTools, List<String> droppedItems,
        boolean reasoningSummary, boolean splitThinkTags, String promptCacheKey, long estimatedInputTokens,
        ObjectNode echo) {

    public ResponsesRequest {
        tools = Map.copyOf(tools);
        droppedTools = List.copyOf(droppedTools);
        droppedItems = List.copyOf(droppedItems);
    }

    /** The client's tool behind a chat function name; an unknown name (a hallucinated tool) is a plain function. */
    public ResponsesToolRef tool(String chatName) {
        ResponsesToolRef ref = tools.get(chatName);
        return ref != null ? ref : new ResponsesToolRef(ResponsesToolRef.Kind.FUNCTION, null, chatName);
    }

    /**
     * The Response object in a given state. {@code store} is always false and {@code completed_at} null: the
     * gateway keeps nothing and has no clock.
     *
     * @param status {@code in_progress}, {@code completed}, {@code incomplete} or {@code failed}
     * @param usage null while in progress
     * @param error {@code {code, message}} when failed, else null
     * @param incompleteReason {@code max_output_tokens} or {@code content_filter} when incomplete, else null
     */
    public ObjectNode response(String id, long createdAt, String status, ArrayNode output, ResponsesUsage usage,
            ObjectNode error, String incompleteReason) {
        ObjectNode r = Json.object();
        r.put("id", id);
        r.put("object", "response");
        r.put("created_at", createdAt);
        r.put("status", status);
        r.set("error", error == null ? Json.NODES.nullNode() : error);
        if (incompleteReason == null) {
            r.putNull("incomplete_details");
        } else {
            r.putObject("incomplete_details").put("reason", incompleteReason);
        }
        r.setAll(echo.deepCopy());
        r.putNull("completed_at");
        r.set("output", output);
        r.set("usage", usage == null ? Json.NODES.nullNode() : usage.toJson());
        return r;
    }
}
