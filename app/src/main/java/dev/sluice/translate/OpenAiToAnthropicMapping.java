package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import java.util.List;

/** Stop reasons and usage from OpenAI chat terms to Anthropic terms (protocols.md §3.5, §3.6). */
final class OpenAiToAnthropicMapping {
    private OpenAiToAnthropicMapping() {}

    /**
     * The first matching row wins: {@code length} beats a half-written tool call; any emitted tool call means
     * {@code tool_use} whatever the finish reason said (Ollama and named tool_choice say "stop"); a
     * {@code tool_calls} finish without a call means {@code end_turn} (vllm#53255).
     */
    static String stopReason(String finish, boolean emittedTool, String matchedStop) {
        if ("length".equals(finish)) {
            return "max_tokens";
        }
        if (emittedTool) {
            return "tool_use";
        }
        if (matchedStop != null || "stop_sequence".equals(finish)) {
            return "stop_sequence";
        }
        if ("content_filter".equals(finish)) {
            return "refusal";
        }
        return "end_turn";
    }

    /**
     * The stop string that ended generation, if the runtime says which: vLLM puts it in the choice's
     * {@code stop_reason} (an int there is a token id), SGLang in {@code matched_stop}; TGI only says
     * {@code finish_reason:"stop_sequence"}: with one sequence that is the one, with several it is the one the
     * output ends with (TGI keeps the matched sequence in the text), the longest if several do.
     *
     * @param outputTail the end of the text generated so far
     */
    static String matchedStop(JsonNode choice, List<String> stopSequences, CharSequence outputTail) {
        JsonNode vllm = choice.get("stop_reason");
        if (vllm != null && vllm.isTextual()) {
            return vllm.asText();
        }
        JsonNode sglang = choice.get("matched_stop");
        if (sglang != null && sglang.isTextual()) {
            return sglang.asText();
        }
        if (!"stop_sequence".equals(Json.text(choice, "finish_reason")) || stopSequences.isEmpty()) {
            return null;
        }
        if (stopSequences.size() == 1) {
            return stopSequences.get(0);
        }
        String tail = outputTail.toString().stripTrailing();
        String best = null;
        for (String s : stopSequences) {
            String stop = s.stripTrailing();
            if (!stop.isEmpty() && tail.endsWith(stop) && (best == null || s.length() > best.length())) {
                best = s;
            }
        }
        return best;
    }

    /**
     * Anthropic's input_tokens counts only uncached input, so cached tokens are subtracted, keeping
     * input + cache_read + cache_creation == prompt_tokens with nothing counted twice (codex-proxy#587).
     */
    static ObjectNode usage(JsonNode openAiUsage, long estimatedInput, long estimatedOutput) {
        ObjectNode u = Json.object();
        if (openAiUsage == null || !openAiUsage.isObject()) {
            u.put("input_tokens", estimatedInput);
            u.put("cache_creation_input_tokens", 0);
            u.put("cache_read_input_tokens", 0);
            u.put("output_tokens", Math.max(1, estimatedOutput));
            return u;
        }
        long prompt = openAiUsage.path("prompt_tokens").asLong(estimatedInput);
        long cacheRead = openAiUsage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
        long cacheWrite = openAiUsage.path("prompt_tokens_details").path("cache_write_tokens").asLong(0);
        u.put("input_tokens", Math.max(prompt - cacheRead - cacheWrite, 0));
        u.put("cache_creation_input_tokens", cacheWrite);
        u.put("cache_read_input_tokens", cacheRead);
        u.put("output_tokens", openAiUsage.path("completion_tokens").asLong(estimatedOutput));
        return u;
    }

    /** Tool arguments: a JSON string (parsed), an object (TGI non-stream), or empty/invalid (then {}). */
    static JsonNode toolInput(JsonNode arguments) {
        if (arguments == null || arguments.isNull()) {
            return Json.object();
        }
        if (arguments.isObject()) {
            return arguments;
        }
        String text = arguments.asText("");
        if (text.isBlank()) {
            return Json.object();
        }
        JsonNode parsed = Json.tryParse(text);
        return parsed != null && parsed.isObject() ? parsed : Json.object();
    }
}
