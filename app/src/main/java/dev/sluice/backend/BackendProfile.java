package dev.sluice.backend;

import dev.sluice.backend.BackendKind;

/**
 * What one kind of runtime can do and how it must be spoken to (protocols.md §4.1 and §4.5). Defaults come
 * from the kind; every difference between runtimes the gateway cares about is a field here, not an
 * {@code if (kind == ...)} in the request path.
 *
 * @param healthPath path probed by {@code /readyz}; relative to the server root unless {@code healthUnderBase}
 * @param healthUnderBase the health path hangs under the base URL (e.g. {@code /v1/models}) rather than the root
 * @param embeddings the runtime serves {@code /embeddings} at all (TGI does not: use TEI)
 * @param completions the runtime serves the legacy {@code /completions}
 * @param streamUsage the runtime honours {@code stream_options.include_usage}
 * @param multipleChoices the runtime honours {@code n > 1}; where it ignores or rejects it the gateway answers 400
 * @param embeddingsBase64 the runtime returns base64 embeddings itself; otherwise the gateway converts floats
 * @param upstreamModel the model name the runtime must be sent, or null to send the configured/client name
 *     (TGI reads any other name as a LoRA adapter id, TGI PR#2128)
 * @param onlyMaxTokens the runtime reads {@code max_tokens} but ignores {@code max_completion_tokens} (Ollama)
 * @param tokenize how exact token counts can be had from the runtime
 */
public record BackendProfile(
        BackendKind kind,
        String healthPath,
        boolean healthUnderBase,
        boolean embeddings,
        boolean completions,
        boolean tools,
        boolean streamUsage,
        boolean multipleChoices,
        boolean embeddingsBase64,
        String upstreamModel,
        boolean onlyMaxTokens,
        TokenizeMode tokenize) {

    /** Token-count endpoints per runtime (protocols.md §4.3). */
    public enum TokenizeMode { VLLM, LLAMACPP, TGI_CHAT, SGLANG_RAW, LOCALAI_RAW, COUNT_TOKENS, NONE }

    /**
     * The real Anthropic Messages API: chat only (no completions or embeddings), no {@code n > 1}, usage always
     * reported; probed with {@code GET /v1/models} under the base URL.
     */
    public static BackendProfile anthropic() {
        return new BackendProfile(BackendKind.OPENAI, "/v1/models", true, false, false, true, true, false, false, null,
                false, TokenizeMode.NONE);
    }

    public static BackendProfile of(BackendKind kind) {
        return switch (kind) {
            case VLLM -> new BackendProfile(kind, "/health", false, true, true, true, true, true, true, null, false,
                    TokenizeMode.VLLM);
            case OLLAMA -> new BackendProfile(kind, "/api/version", false, true, true, true, true, false, true, null,
                    true, TokenizeMode.NONE);
            case LLAMACPP -> new BackendProfile(kind, "/health", false, true, true, true, true, false, false, null,
                    false, TokenizeMode.LLAMACPP);
            case TGI -> new BackendProfile(kind, "/health", false, false, true, true, true, false, false, "tgi",
                    false, TokenizeMode.TGI_CHAT);
            case SGLANG -> new BackendProfile(kind, "/health", false, true, true, true, true, true, false, null,
                    false, TokenizeMode.SGLANG_RAW);
            case LOCALAI -> new BackendProfile(kind, "/readyz", false, true, true, true, true, false, false, null,
                    false, TokenizeMode.LOCALAI_RAW);
            case LMSTUDIO -> new BackendProfile(kind, "/models", true, true, true, true, true, false, false, null,
                    false, TokenizeMode.NONE);
            case DOCKER_MODEL_RUNNER -> new BackendProfile(kind, "/", false, true, true, true, true, false, false,
                    null, false, TokenizeMode.COUNT_TOKENS);
            case OPENAI -> new BackendProfile(kind, "/models", true, true, true, true, true, true, true, null, false,
                    TokenizeMode.NONE);
            case SIM -> new BackendProfile(kind, "/", false, true, true, true, true, false, false, null, false,
                    TokenizeMode.NONE);
        };
    }
}
