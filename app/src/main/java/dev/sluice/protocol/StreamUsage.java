package dev.sluice.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Token counts of one response.
 *
 * @param estimated the backend reported no usage and the counts were estimated
 * @param cachedTokens of the prompt tokens, those read from the runtime's prompt cache (priced apart: a price's
 *     {@code cached_input})
 */
public record StreamUsage(long promptTokens, long completionTokens, boolean estimated, long cachedTokens) {
    public static final StreamUsage NONE = new StreamUsage(0, 0, true);

    /** No cached prompt tokens. */
    public StreamUsage(long promptTokens, long completionTokens, boolean estimated) {
        this(promptTokens, completionTokens, estimated, 0);
    }

    /**
     * The prompt tokens a usage object says were read from the cache, whichever dialect wrote it: chat completions'
     * {@code prompt_tokens_details.cached_tokens}, Responses' {@code input_tokens_details.cached_tokens}, Anthropic's
     * {@code cache_read_input_tokens}. 0 when it says nothing.
     */
    public static long cached(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return 0;
        }
        return Math.max(0, usage.path("prompt_tokens_details").path("cached_tokens").asLong(0)
                + usage.path("input_tokens_details").path("cached_tokens").asLong(0)
                + usage.path("cache_read_input_tokens").asLong(0));
    }
}
