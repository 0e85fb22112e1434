package dev.sluice.backend;

import dev.sluice.protocol.ThinkingSwitch;

/**
 * What one kind of runtime can do and how it must be spoken to (protocols.md §4.1 and §4.5). Every difference
 * between runtimes the gateway cares about is a field here, not an {@code if (kind == ...)} in the request
 * path: translators receive these as capability options. Profiles are built by name from {@link #standard}:
 * {@code standard(VLLM).health("/health").withMultipleChoices()...}.
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
 * @param imageUrls the runtime fetches {@code image_url} http(s) URLs itself (Ollama takes only data URIs)
 * @param toolChoiceNone the runtime honours {@code tool_choice: "none"} (Ollama ignores it: tools are dropped)
 * @param thinking how the runtime switches reasoning on and off
 * @param mistralToolIds with a Mistral-family model the runtime accepts only 9-character alphanumeric tool-call
 *     ids (vLLM's Mistral tokenizer, vllm#9019)
 * @param nativeResponses the deployment serves the Responses API itself ({@code /responses}): OpenAI, or a runtime
 *     the config file marks {@code responses_api: native}
 */
public record BackendProfile(
        BackendKind kind,
        String healthPath,
        boolean healthUnderBase,
        boolean embeddings,
        boolean completions,
        boolean streamUsage,
        boolean multipleChoices,
        boolean embeddingsBase64,
        String upstreamModel,
        boolean onlyMaxTokens,
        TokenizeMode tokenize,
        boolean imageUrls,
        boolean toolChoiceNone,
        ThinkingSwitch thinking,
        boolean mistralToolIds,
        boolean nativeResponses) {

    /** Token-count endpoints per runtime (protocols.md §4.3). */
    public enum TokenizeMode { VLLM, LLAMACPP, TGI_CHAT, SGLANG_RAW, LOCALAI_RAW, COUNT_TOKENS, NONE }

    /**
     * What most OpenAI-compatible runtimes do: health at {@code /health}, embeddings and completions, usage in
     * streams, one choice per request, float embeddings, the client's model name, no tokenizer endpoint.
     */
    public static BackendProfile standard(BackendKind kind) {
        return new BackendProfile(kind, "/health", false, true, true, true, false, false, null, false,
                TokenizeMode.NONE, true, true, ThinkingSwitch.NONE, false, false);
    }

    /**
     * The real Anthropic Messages API: chat only (no completions or embeddings), no {@code n > 1}, usage always
     * reported; probed with {@code GET /v1/models} under the base URL.
     */
    public static BackendProfile anthropic() {
        return standard(BackendKind.OPENAI).healthUnderBase("/v1/models").withoutEmbeddings().withoutCompletions();
    }

    public static BackendProfile of(BackendKind kind) {
        BackendProfile p = standard(kind);
        return switch (kind) {
            case VLLM -> p.withMultipleChoices().base64Embeddings().tokenize(TokenizeMode.VLLM)
                    .thinking(ThinkingSwitch.TEMPLATE_KWARGS).withMistralToolIds();
            case OLLAMA -> p.health("/api/version").base64Embeddings().withOnlyMaxTokens().noImageUrls()
                    .noToolChoiceNone().thinking(ThinkingSwitch.REASONING_EFFORT);
            case LLAMACPP -> p.tokenize(TokenizeMode.LLAMACPP).thinking(ThinkingSwitch.TEMPLATE_KWARGS);
            case TGI -> p.withoutEmbeddings().upstreamModel("tgi").tokenize(TokenizeMode.TGI_CHAT);
            case SGLANG -> p.withMultipleChoices().tokenize(TokenizeMode.SGLANG_RAW)
                    .thinking(ThinkingSwitch.TEMPLATE_KWARGS);
            case LOCALAI -> p.health("/readyz").tokenize(TokenizeMode.LOCALAI_RAW);
            case LMSTUDIO -> p.healthUnderBase("/models");
            case DOCKER_MODEL_RUNNER -> p.health("/").tokenize(TokenizeMode.COUNT_TOKENS);
            case OPENAI -> p.healthUnderBase("/models").withMultipleChoices().base64Embeddings()
                    .thinking(ThinkingSwitch.REASONING_EFFORT);
            case SIM -> p.health("/");
        };
    }

    public BackendProfile health(String path) {
        return new BackendProfile(kind, path, false, embeddings, completions, streamUsage, multipleChoices,
                embeddingsBase64, upstreamModel, onlyMaxTokens, tokenize, imageUrls, toolChoiceNone, thinking,
                mistralToolIds, nativeResponses);
    }

    public BackendProfile healthUnderBase(String path) {
        return new BackendProfile(kind, path, true, embeddings, completions, streamUsage, multipleChoices,
                embeddingsBase64, upstreamModel, onlyMaxTokens, tokenize, imageUrls, toolChoiceNone, thinking,
                mistralToolIds, nativeResponses);
    }

    public BackendProfile withoutEmbeddings() {
        return new BackendProfile(kind, healthPath, healthUnderBase, false, completions, streamUsage,
                multipleChoices, embeddingsBase64, upstreamModel, onlyMaxTokens, tokenize, imageUrls, toolChoiceNone,
                thinking, mistralToolIds, nativeResponses);
    }

    public BackendProfile withoutCompletions() {
        return new BackendProfile(kind, healthPath, healthUnderBase, embeddings, false, streamUsage,
                multipleChoices, embeddingsBase64, upstreamModel, onlyMaxTokens, tokenize, imageUrls, toolChoiceNone,
                thinking, mistralToolIds, nativeResponses);
    }

    public BackendProfile withMultipleChoices() {
        return new BackendProfile(kind, healthPath, healthUnderBase, embeddings, completions, streamUsage, true,
                embeddingsBase64, upstreamModel, onlyMaxTokens, tokenize, imageUrls, toolChoiceNone, thinking,
                mistralToolIds, nativeResponses);
    }

    public BackendProfile base64Embeddings() {
        return new BackendProfile(kind, healthPath, healthUnderBase, embeddings, completions, streamUsage,
                multipleChoices, true, upstreamModel, onlyMaxTokens, tokenize, imageUrls, toolChoiceNone, thinking,
                mistralToolIds, nativeResponses);
    }

    public BackendProfile upstreamModel(String name) {
        return new BackendProfile(kind, healthPath, healthUnderBase, embeddings, completions, streamUsage,
                multipleChoices, embeddingsBase64, name, onlyMaxTokens, tokenize, imageUrls, toolChoiceNone,
                thinking, mistralToolIds, nativeResponses);
    }

    public BackendProfile withOnlyMaxTokens() {
        return new BackendProfile(kind, healthPath, healthUnderBase, embeddings, completions, streamUsage,
                multipleChoices, embeddingsBase64, upstreamModel, true, tokenize, imageUrls, toolChoiceNone, thinking,
                mistralToolIds, nativeResponses);
    }

    public BackendProfile tokenize(TokenizeMode mode) {
        return new BackendProfile(kind, healthPath, healthUnderBase, embeddings, completions, streamUsage,
                multipleChoices, embeddingsBase64, upstreamModel, onlyMaxTokens, mode, imageUrls, toolChoiceNone,
                thinking, mistralToolIds, nativeResponses);
    }

    public BackendProfile noImageUrls() {
        return new BackendProfile(kind, healthPath, healthUnderBase, embeddings, completions, streamUsage,
                multipleChoices, embeddingsBase64, upstreamModel, onlyMaxTokens, tokenize, false, toolChoiceNone,
                thinking, mistralToolIds, nativeResponses);
    }

    public BackendProfile noToolChoiceNone() {
        return new BackendProfile(kind, healthPath, healthUnderBase, embeddings, completions, streamUsage,
                multipleChoices, embeddingsBase64, upstreamModel, onlyMaxTokens, tokenize, imageUrls, false, thinking,
                mistralToolIds, nativeResponses);
    }

    public BackendProfile thinking(ThinkingSwitch how) {
        return new BackendProfile(kind, healthPath, healthUnderBase, embeddings, completions, streamUsage,
                multipleChoices, embeddingsBase64, upstreamModel, onlyMaxTokens, tokenize, imageUrls, toolChoiceNone,
                how, mistralToolIds, nativeResponses);
    }

    public BackendProfile withMistralToolIds() {
        return new BackendProfile(kind, healthPath, healthUnderBase, embeddings, completions, streamUsage,
                multipleChoices, embeddingsBase64, upstreamModel, onlyMaxTokens, tokenize, imageUrls, toolChoiceNone,
                thinking, true, nativeResponses);
    }

    public BackendProfile withNativeResponses() {
        return new BackendProfile(kind, healthPath, healthUnderBase, embeddings, completions, streamUsage,
                multipleChoices, embeddingsBase64, upstreamModel, onlyMaxTokens, tokenize, imageUrls, toolChoiceNone,
                thinking, mistralToolIds, true);
    }
}
