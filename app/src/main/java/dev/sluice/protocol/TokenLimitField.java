package dev.sluice.protocol;

/** Which chat-completions field carries the output token limit a runtime reads. */
public enum TokenLimitField {
    /** {@code max_tokens}: what every local runtime reads (Ollama reads only this one). */
    MAX_TOKENS("max_tokens"),
    /**
     * {@code max_completion_tokens}: OpenAI's own API, where reasoning models (gpt-5*, o*) answer 400
     * "Unsupported parameter: 'max_tokens'".
     */
    MAX_COMPLETION_TOKENS("max_completion_tokens");

    private final String field;

    TokenLimitField(String field) {
        this.field = field;
    }

    public String field() {
        return field;
    }
}
