package dev.sluice.backend;

/** How a deployment's requests are shaped and authenticated on the wire (the backend side of a pair). */
public enum WireDialect {
    /** {@code {api_base}/chat/completions}, {@code Authorization: Bearer <key>}. */
    OPENAI("Authorization"),
    /** {@code {api_base}/openai/deployments/{model}/chat/completions?api-version=...}, {@code api-key: <key>}. */
    AZURE("api-key"),
    /** {@code {api_base}/v1/messages}, {@code x-api-key: <key>} and {@code anthropic-version}. */
    ANTHROPIC("x-api-key");

    private final String keyHeader;

    WireDialect(String keyHeader) {
        this.keyHeader = keyHeader;
    }

    /** The request header that carries the API key (as {@code Bearer <key>} for {@link #OPENAI}). */
    public String keyHeader() {
        return keyHeader;
    }
}
