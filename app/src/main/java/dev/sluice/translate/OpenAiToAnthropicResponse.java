package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import java.util.HashSet;
import java.util.Set;

/** A complete OpenAI chat response as an Anthropic Message (protocols.md §3.2). */
public final class OpenAiToAnthropicResponse {
    private OpenAiToAnthropicResponse() {}

    public static ObjectNode translate(byte[] body, AnthropicRequest request) {
        JsonNode root = Json.tryParse(body);
        if (root == null || !root.isObject()) {
            throw GatewayException.of(ErrorKind.BAD_GATEWAY, "the backend's response is not a JSON object");
        }
        JsonNode choice = root.path("choices").path(0);
        if (choice.isMissingNode()) {
            throw GatewayException.of(ErrorKind.BAD_GATEWAY, "the backend's response has no choices");
        }
        JsonNode msg = choice.path("message");
        String id = AnthropicIds.messageId();
        ObjectNode out = Json.object();
        out.put("id", id);
        out.put("type", "message");
        out.put("role", "assistant");
        out.put("model", request.clientModel());
        ArrayNode content = out.putArray("content");
        String answer = msg.path("content").isTextual() ? msg.get("content").asText() : "";
        String reasoning = firstText(msg, "reasoning_content", "reasoning");
        // templates without a reasoning parser put the thoughts inline (llama.cpp#13867): the stream's rule
        ThinkTagSplitter.Split split = ThinkTagSplitter.splitWhole(answer);
        String text = split.text();
        if (!split.thinking().isBlank()) {
            reasoning = reasoning == null ? split.thinking().strip() : reasoning + "\n\n" + split.thinking().strip();
        }
        if (reasoning != null && !reasoning.isEmpty()) {
            content.addObject().put("type", "thinking").put("thinking", reasoning).put("signature", "");
        }
        if (!text.isBlank()) {
            // a whitespace-only block ("\n\n" before tool calls) is rejected by the real API when replayed
            content.addObject().put("type", "text").put("text", text);
        }
        boolean tool = false;
        Set<String> used = new HashSet<>();
        JsonNode calls = msg.path("tool_calls");
        if (calls.isObject()) {
            calls = Json.NODES.arrayNode().add(calls); // TGI has sent a single object (TGI#2794)
        }
        int i = 0;
        for (JsonNode call : calls) {
            String upstreamId = Json.text(call, "id");
            // TGI's ids are "0" in every turn: minted from this message's id, they are unique per turn
            String tid = !request.mintToolIds() && AnthropicIds.validToolId(upstreamId) && !used.contains(upstreamId)
                    ? upstreamId : AnthropicIds.mintToolId(id, i, upstreamId);
            used.add(tid);
            String name = call.path("function").path("name").asText("");
            ObjectNode block = content.addObject();
            block.put("type", "tool_use");
            block.put("id", tid);
            block.put("name", request.toolNames().getOrDefault(name, name));
            block.set("input", OpenAiToAnthropicMapping.toolInput(call.path("function").get("arguments")));
            tool = true;
            i++;
        }
        String finish = Json.text(choice, "finish_reason");
        String matched = OpenAiToAnthropicMapping.matchedStop(choice, request.stopSequences(), text);
        String stop = OpenAiToAnthropicMapping.stopReason(finish, tool, matched);
        out.put("stop_reason", stop);
        if ("stop_sequence".equals(stop)) {
            out.put("stop_sequence", matched);
        } else {
            out.putNull("stop_sequence");
        }
        long estOut = TokenEstimate.ofText(text) + (reasoning == null ? 0 : TokenEstimate.ofText(reasoning));
        out.set("usage", OpenAiToAnthropicMapping.usage(root.get("usage"), request.estimatedInputTokens(), estOut));
        return out;
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
