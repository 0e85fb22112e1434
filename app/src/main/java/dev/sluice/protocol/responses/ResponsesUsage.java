package dev.sluice.protocol.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;

/**
 * A Response's {@code usage} (responses-api.md §3). Every field is always written as an integer: Codex's
 * {@code ResponseCompletedUsage} has required integers and fails the turn on a partial object, and openai-java
 * requires {@code input_tokens_details.cache_write_tokens}.
 *
 * @param estimated the backend reported no usage; the counts are the gateway's estimate
 */
public record ResponsesUsage(long inputTokens, long cachedTokens, long outputTokens, long reasoningTokens,
        long totalTokens, boolean estimated) {

    /**
     * From a chat {@code usage} object, or the estimates when it is absent. {@code prompt_tokens_details} and
     * {@code completion_tokens_details} are optional (Ollama sends null for both).
     */
    public static ResponsesUsage fromChat(JsonNode chat, long estimatedInput, long estimatedOutput,
            long estimatedReasoning) {
        if (chat == null || !chat.isObject()) {
            return new ResponsesUsage(estimatedInput, 0, estimatedOutput, estimatedReasoning,
                    estimatedInput + estimatedOutput, true);
        }
        long input = chat.path("prompt_tokens").asLong(estimatedInput);
        long output = chat.path("completion_tokens").asLong(estimatedOutput);
        JsonNode total = chat.get("total_tokens");
        return new ResponsesUsage(input, chat.path("prompt_tokens_details").path("cached_tokens").asLong(0), output,
                chat.path("completion_tokens_details").path("reasoning_tokens").asLong(0),
                total != null && total.canConvertToLong() ? total.asLong() : input + output, false);
    }

    public ObjectNode toJson() {
        ObjectNode u = Json.object();
        u.put("input_tokens", inputTokens);
        u.putObject("input_tokens_details").put("cached_tokens", cachedTokens).put("cache_write_tokens", 0);
        u.put("output_tokens", outputTokens);
        u.putObject("output_tokens_details").put("reasoning_tokens", reasoningTokens);
        u.put("total_tokens", totalTokens);
        return u;
    }
}
