package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.responses.ResponsesContentPart;
import dev.sluice.protocol.responses.ResponsesOutputItem;
import dev.sluice.protocol.responses.ResponsesUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A complete chat completion as a Response object (responses-api.md §3, §5.1 "Non-streaming"): output items in
 * the order reasoning, message, tool calls; {@code status} from the finish reason; usage always complete.
 */
public final class OpenAiToResponsesResponse {
    private OpenAiToResponsesResponse() {}

    /**
     * @param ids the source of the {@code resp_}, item and call ids
     * @param createdAt the Response's {@code created_at}, in epoch seconds (the translator has no clock)
     */
    public static ObjectNode translate(byte[] body, ResponsesRequest request, ResponsesIds ids, long createdAt) {
        JsonNode root = Json.tryParse(body);
        if (root == null || !root.isObject()) {
            throw GatewayException.of(ErrorKind.BAD_GATEWAY, "the backend's response is not a JSON object");
        }
        JsonNode choice = root.path("choices").path(0);
        if (choice.isMissingNode()) {
            throw GatewayException.of(ErrorKind.BAD_GATEWAY, "the backend's response has no choices");
        }
        JsonNode msg = choice.path("message");
        String text = msg.path("content").isTextual() ? msg.get("content").asText() : "";
        String reasoning = firstText(msg, "reasoning_content", "reasoning");
        if (reasoning == null && request.splitThinkTags()) {
            StringBuilder thought = new StringBuilder();
            StringBuilder answer = new StringBuilder();
            ThinkTagSplitter splitter = new ThinkTagSplitter();
            splitter.split(text, thought::append, answer::append);
            splitter.flush(thought::append, answer::append);
            reasoning = thought.isEmpty() ? null : thought.toString();
            text = answer.toString();
        }
        String responseId = ids.next("resp");
        List<ResponsesOutputItem> items = new ArrayList<>();
        if (reasoning != null && !reasoning.isBlank()) {
            items.add(request.reasoningSummary()
                    ? new ResponsesOutputItem.Reasoning(ids.next("rs"), "completed", List.of(reasoning), List.of())
                    : new ResponsesOutputItem.Reasoning(ids.next("rs"), "completed", List.of(), List.of(reasoning)));
        }
        List<ResponsesContentPart> parts = new ArrayList<>();
        if (!text.isBlank()) {
            // whitespace alone ("\n\n" before tool calls) would be an empty-looking message in the client's history
            parts.add(new ResponsesContentPart.OutputText(text));
        }
        String refusal = Json.text(msg, "refusal");
        if (refusal != null && !refusal.isEmpty()) {
            parts.add(new ResponsesContentPart.Refusal(refusal));
        }
        if (!parts.isEmpty()) {
            items.add(new ResponsesOutputItem.Message(ids.next("msg"), "completed", parts));
        }
        long callChars = calls(msg.path("tool_calls"), request, ids, items);
        String incomplete = incompleteReason(Json.text(choice, "finish_reason"));
        ArrayNode output = Json.NODES.arrayNode();
        for (int i = 0; i < items.size(); i++) {
            ResponsesOutputItem item = items.get(i);
            // the item being generated when the limit hit is the last one
            output.add((incomplete != null && i == items.size() - 1 ? item.withStatus("incomplete") : item).toJson());
        }
        long reasoningTokens = TokenEstimate.ofText(reasoning);
        ResponsesUsage usage = ResponsesUsage.fromChat(root.get("usage"), request.estimatedInputTokens(),
                TokenEstimate.ofText(text) + reasoningTokens + (callChars + 3) / 4, reasoningTokens);
        return request.response(responseId, createdAt, incomplete == null ? "completed" : "incomplete", output, usage,
                null, incomplete);
    }

    /** {@code length} and {@code content_filter} are the two reasons the SDK types know. */
    static String incompleteReason(String finish) {
        if ("length".equals(finish)) {
            return "max_output_tokens";
        }
        return "content_filter".equals(finish) ? "content_filter" : null;
    }

    private static long calls(JsonNode calls, ResponsesRequest request, ResponsesIds ids,
            List<ResponsesOutputItem> items) {
        if (calls.isObject()) {
            calls = Json.NODES.arrayNode().add(calls); // TGI has sent a single object (TGI#2794)
        }
        Set<String> used = new HashSet<>();
        long chars = 0;
        for (JsonNode call : calls) {
            JsonNode fn = call.path("function");
            ResponsesToolRef ref = request.tool(fn.path("name").asText(""));
            String arguments = OpenAiDeltas.argumentsText(fn.get("arguments"));
            chars += arguments.length();
            items.add(ResponsesToolCalls.item(ref, ids.next(ResponsesToolCalls.itemPrefix(ref)), "completed",
                    ResponsesToolCalls.callId(Json.text(call, "id"), used, ids), arguments));
        }
        return chars;
    }

    private static String firstText(JsonNode node, String... fields) {
        for (String f : fields) {
            JsonNode v = node.get(f);
            if (v != null && v.isTextual() && !v.asText().isEmpty()) {
                return v.asText();
            }
        }
        return null;
    }
}
