package dev.sluice.config;

/**
 * What one request body may cost before the gateway builds anything from it (docs/SECURITY.md). Every cap is
 * checked on the raw bytes in one streaming pass, so a body over a cap is refused without its tree ever being built.
 *
 * @param maxJsonNodes MAX_JSON_NODES: JSON values in the whole body (objects, arrays, strings, numbers, ...)
 * @param maxJsonArrayLength MAX_JSON_ARRAY_LENGTH: elements of any one array
 * @param maxMessages MAX_MESSAGES: entries of the top-level {@code messages} array
 * @param maxTools MAX_TOOLS: entries of the top-level {@code tools} (and legacy {@code functions}) array
 * @param maxOutputTokens MAX_OUTPUT_TOKENS: the largest {@code max_tokens}, {@code max_completion_tokens} or
 *     {@code max_output_tokens} a request may ask for
 */
public record RequestCaps(int maxJsonNodes, int maxJsonArrayLength, int maxMessages, int maxTools,
        long maxOutputTokens) {
    /**
     * About 100 bytes of heap per value, so at most ~50 MB for a tree; OpenAI's own embeddings cap (300,000 tokens
     * per request) sent as token ids and the longest agent sessions (tens of thousands of values) fit.
     */
    public static final int DEFAULT_MAX_JSON_NODES = 500_000;
    /** A 256k-context prompt as token ids, or OpenAI's 300,000-token embeddings batch, fits in one array. */
    public static final int DEFAULT_MAX_JSON_ARRAY_LENGTH = 300_000;
    /** Agent sessions run out of context long before this many turns. */
    public static final int DEFAULT_MAX_MESSAGES = 10_000;
    /** OpenAI allows 128 tools; coding agents with many MCP servers send a few hundred. */
    public static final int DEFAULT_MAX_TOOLS = 1_000;
    /** 2^20: above every model's context window in use; what is larger cannot be a real request. */
    public static final long DEFAULT_MAX_OUTPUT_TOKENS = 1L << 20;
    /** The largest MAX_OUTPUT_TOKENS accepted: keeps every reservation exact in Redis (below 2^53) and in a long. */
    public static final long MAX_OUTPUT_TOKENS_CEILING = 1L << 40;

    public static RequestCaps defaults() {
        return new RequestCaps(DEFAULT_MAX_JSON_NODES, DEFAULT_MAX_JSON_ARRAY_LENGTH, DEFAULT_MAX_MESSAGES,
                DEFAULT_MAX_TOOLS, DEFAULT_MAX_OUTPUT_TOKENS);
    }

    public RequestCaps {
        if (maxJsonNodes < 1 || maxJsonArrayLength < 1 || maxMessages < 1 || maxTools < 0 || maxOutputTokens < 1
                || maxOutputTokens > MAX_OUTPUT_TOKENS_CEILING) {
            throw new IllegalArgumentException("request caps out of range: " + maxJsonNodes + ", " + maxJsonArrayLength
                    + ", " + maxMessages + ", " + maxTools + ", " + maxOutputTokens);
        }
    }
}
