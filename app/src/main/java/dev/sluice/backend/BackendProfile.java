package dev.sluice.backend;

import dev.sluice.protocol.ThinkingSwitch;
import dev.sluice.protocol.TokenLimitField;
import java.util.function.Consumer;
import java.util.regex.Pattern;

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
 * @param tokenField which field carries a translated request's output limit (OpenAI's reasoning models answer 400
 *     to {@code max_tokens})
 * @param maxStopSequences how many stop sequences the runtime takes (OpenAI: 4); 0 for no limit
 * @param topK the runtime takes {@code top_k} (OpenAI answers 400 to it)
 * @param reasoningModels a regular expression (found anywhere in the model name, case-insensitive) naming the
 *     models that reason; only those get {@code reasoning_effort}, and they get no {@code temperature} or
 *     {@code top_p} (OpenAI's gpt-5* and o* answer 400 to both). Null: every model, sampling always sent
 * @param replayReasoning earlier thinking goes back to the runtime as {@code reasoning_content} on the assistant
 *     message, for chat templates that render past reasoning (Qwen3, GLM, Kimi, DeepSeek; vllm#33616)
 * @param continueFinalMessage a final assistant message (prefill) is continued with
 *     {@code continue_final_message: true, add_generation_prompt: false} (vLLM, SGLang)
 * @param uniqueToolIds the runtime's tool-call ids are unique; TGI's are always {@code "0"}, so the gateway mints
 *     its own
 * @param nativeResponses the deployment serves the Responses API itself ({@code /responses}): OpenAI, or a runtime
 *     the config file marks {@code responses_api: native}
 * @param metricsPath where the runtime publishes its load in Prometheus text ({@code /metrics}, from the server
 *     root), read by load-aware routing; null when it publishes nothing (then the gateway's own in-flight count
 *     stands in)
 * @param capacity where the runtime says how many requests it takes at once, which admission control uses as the
 *     deployment's limit when {@code max_concurrency} is not set; null when it does not say (vLLM)
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
        TokenLimitField tokenField,
        int maxStopSequences,
        boolean topK,
        String reasoningModels,
        boolean replayReasoning,
        boolean continueFinalMessage,
        boolean uniqueToolIds,
        boolean nativeResponses,
        String metricsPath,
        Capacity capacity) {

    /**
     * A JSON page (root-relative {@code path}) that gives the runtime's concurrency limit: the number at the top-level
     * {@code field}, or, with a null field, the length of the array the page is (llama.cpp's {@code /slots}).
     */
    public record Capacity(String path, String field) {}

    /** Token-count endpoints per runtime (protocols.md §4.3). */
    public enum TokenizeMode { VLLM, LLAMACPP, TGI_CHAT, SGLANG_RAW, LOCALAI_RAW, COUNT_TOKENS, NONE }

    /**
     * What most OpenAI-compatible runtimes do: health at {@code /health}, embeddings and completions, usage in
     * streams, one choice per request, float embeddings, the client's model name, no tokenizer endpoint.
     */
    public static BackendProfile standard(BackendKind kind) {
        return new BackendProfile(kind, "/health", false, true, true, true, false, false, null, false,
                TokenizeMode.NONE, true, true, ThinkingSwitch.NONE, false, TokenLimitField.MAX_TOKENS, 0, true, null,
                false, false, true, false, null, null);
    }

    /**
     * The real Anthropic Messages API: chat only (no completions or embeddings), no {@code n > 1}, usage always
     * reported; probed with {@code GET /v1/models} under the base URL.
     */
    public static BackendProfile anthropic() {
        return standard(BackendKind.OPENAI).healthUnderBase("/v1/models").withoutEmbeddings().withoutCompletions();
    }

    /**
     * OpenAI's own API (the {@code openai} and {@code azure} providers): {@code max_completion_tokens}, at most 4
     * stop sequences, no {@code top_k}, and reasoning settings only for its reasoning models (gpt-5*, o1, o3,
     * o4-mini...; Azure deployment names usually carry the model's name).
     */
    public static BackendProfile openAiApi() {
        return of(BackendKind.OPENAI).tokenField(TokenLimitField.MAX_COMPLETION_TOKENS).maxStopSequences(4)
                .withoutTopK().reasoningModels(OPENAI_REASONING_MODELS);
    }

    /** Model names of OpenAI's reasoning models, also inside an Azure deployment name ({@code prod-o3-mini}). */
    static final String OPENAI_REASONING_MODELS = "(^|[^a-z0-9])(o[1-9]|gpt-5)";

    /** The profile of a provider's deployments: its kind's, or OpenAI's own API for {@code openai} and {@code azure}. */
    public static BackendProfile of(Provider provider) {
        return switch (provider) {
            case OPENAI, AZURE -> openAiApi();
            default -> of(provider.backendKind());
        };
    }

    public static BackendProfile of(BackendKind kind) {
        BackendProfile p = standard(kind);
        return switch (kind) {
            case VLLM -> p.metrics("/metrics").withMultipleChoices().base64Embeddings()
                    .tokenize(TokenizeMode.VLLM)
                    .thinking(ThinkingSwitch.TEMPLATE_KWARGS).withMistralToolIds().withReplayReasoning()
                    .withContinueFinalMessage();
            case OLLAMA -> p.health("/api/version").base64Embeddings().withOnlyMaxTokens().noImageUrls()
                    .noToolChoiceNone().thinking(ThinkingSwitch.REASONING_EFFORT);
            // llama-server continues a final assistant message by itself
            // one slot per parallel sequence (-np)
            case LLAMACPP -> p.metrics("/metrics").capacity("/slots", null).tokenize(TokenizeMode.LLAMACPP)
                    .thinking(ThinkingSwitch.TEMPLATE_KWARGS)
                    .withReplayReasoning();
            // the router answers 429 past max_concurrent_requests (default 128); the gateway queues instead
            case TGI -> p.metrics("/metrics").capacity("/info", "max_concurrent_requests").withoutEmbeddings().upstreamModel("tgi").tokenize(TokenizeMode.TGI_CHAT)
                    .constantToolIds();
            // server arguments; max_running_requests is null unless set at launch
            case SGLANG -> p.metrics("/metrics").capacity("/get_server_info", "max_running_requests")
                    .withMultipleChoices().tokenize(TokenizeMode.SGLANG_RAW)
                    .thinking(ThinkingSwitch.TEMPLATE_KWARGS).withReplayReasoning().withContinueFinalMessage();
            case LOCALAI -> p.health("/readyz").tokenize(TokenizeMode.LOCALAI_RAW);
            case LMSTUDIO -> p.healthUnderBase("/models");
            case DOCKER_MODEL_RUNNER -> p.health("/").tokenize(TokenizeMode.COUNT_TOKENS);
            case OPENAI -> p.healthUnderBase("/models").withMultipleChoices().base64Embeddings()
                    .thinking(ThinkingSwitch.REASONING_EFFORT);
            case SIM -> p.health("/");
        };
    }

    public BackendProfile health(String path) {
        return edit(d -> {
            d.healthPath = path;
            d.healthUnderBase = false;
        });
    }

    public BackendProfile healthUnderBase(String path) {
        return edit(d -> {
            d.healthPath = path;
            d.healthUnderBase = true;
        });
    }

    /** Load-aware routing reads {@code path} (root-relative, Prometheus text); null: the runtime publishes none. */
    public BackendProfile metrics(String path) {
        return edit(d -> d.metricsPath = path);
    }

    /** Admission control reads the runtime's concurrency limit from this page (see {@link Capacity}). */
    public BackendProfile capacity(String path, String field) {
        return edit(d -> d.capacity = new Capacity(path, field));
    }

    public BackendProfile withoutEmbeddings() {
        return edit(d -> d.embeddings = false);
    }

    public BackendProfile withoutCompletions() {
        return edit(d -> d.completions = false);
    }

    public BackendProfile withMultipleChoices() {
        return edit(d -> d.multipleChoices = true);
    }

    public BackendProfile base64Embeddings() {
        return edit(d -> d.embeddingsBase64 = true);
    }

    public BackendProfile upstreamModel(String name) {
        return edit(d -> d.upstreamModel = name);
    }

    public BackendProfile withOnlyMaxTokens() {
        return edit(d -> d.onlyMaxTokens = true);
    }

    public BackendProfile tokenize(TokenizeMode mode) {
        return edit(d -> d.tokenize = mode);
    }

    public BackendProfile noImageUrls() {
        return edit(d -> d.imageUrls = false);
    }

    public BackendProfile noToolChoiceNone() {
        return edit(d -> d.toolChoiceNone = false);
    }

    public BackendProfile thinking(ThinkingSwitch how) {
        return edit(d -> d.thinking = how);
    }

    public BackendProfile withMistralToolIds() {
        return edit(d -> d.mistralToolIds = true);
    }

    public BackendProfile tokenField(TokenLimitField field) {
        return edit(d -> d.tokenField = field);
    }

    public BackendProfile maxStopSequences(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 0)");
        }
        return edit(d -> d.maxStopSequences = max);
    }

    public BackendProfile withoutTopK() {
        return edit(d -> d.topK = false);
    }

    public BackendProfile reasoningModels(String regex) {
        if (regex != null) {
            Pattern.compile(regex); // fails here, at startup, rather than on a request
        }
        return edit(d -> d.reasoningModels = regex);
    }

    public BackendProfile withReplayReasoning() {
        return edit(d -> d.replayReasoning = true);
    }

    public BackendProfile withContinueFinalMessage() {
        return edit(d -> d.continueFinalMessage = true);
    }

    public BackendProfile constantToolIds() {
        return edit(d -> d.uniqueToolIds = false);
    }

    public BackendProfile withNativeResponses() {
        return edit(d -> d.nativeResponses = true);
    }

    private BackendProfile edit(Consumer<Draft> change) {
        Draft d = new Draft(this);
        change.accept(d);
        return d.build();
    }

    /** A profile being changed by one of the named {@code withX} steps. */
    private static final class Draft {
        final BackendKind kind;
        String healthPath;
        boolean healthUnderBase;
        boolean embeddings;
        boolean completions;
        boolean streamUsage;
        boolean multipleChoices;
        boolean embeddingsBase64;
        String upstreamModel;
        boolean onlyMaxTokens;
        TokenizeMode tokenize;
        boolean imageUrls;
        boolean toolChoiceNone;
        ThinkingSwitch thinking;
        boolean mistralToolIds;
        TokenLimitField tokenField;
        int maxStopSequences;
        boolean topK;
        String reasoningModels;
        boolean replayReasoning;
        boolean continueFinalMessage;
        boolean uniqueToolIds;
        boolean nativeResponses;
        String metricsPath;
        Capacity capacity;

        Draft(BackendProfile p) {
            kind = p.kind;
            healthPath = p.healthPath;
            healthUnderBase = p.healthUnderBase;
            embeddings = p.embeddings;
            completions = p.completions;
            streamUsage = p.streamUsage;
            multipleChoices = p.multipleChoices;
            embeddingsBase64 = p.embeddingsBase64;
            upstreamModel = p.upstreamModel;
            onlyMaxTokens = p.onlyMaxTokens;
            tokenize = p.tokenize;
            imageUrls = p.imageUrls;
            toolChoiceNone = p.toolChoiceNone;
            thinking = p.thinking;
            mistralToolIds = p.mistralToolIds;
            tokenField = p.tokenField;
            maxStopSequences = p.maxStopSequences;
            topK = p.topK;
            reasoningModels = p.reasoningModels;
            replayReasoning = p.replayReasoning;
            continueFinalMessage = p.continueFinalMessage;
            uniqueToolIds = p.uniqueToolIds;
            nativeResponses = p.nativeResponses;
            metricsPath = p.metricsPath;
            capacity = p.capacity;
        }

        BackendProfile build() {
            return new BackendProfile(kind, healthPath, healthUnderBase, embeddings, completions, streamUsage,
                    multipleChoices, embeddingsBase64, upstreamModel, onlyMaxTokens, tokenize, imageUrls,
                    toolChoiceNone, thinking, mistralToolIds, tokenField, maxStopSequences, topK, reasoningModels,
                    replayReasoning, continueFinalMessage, uniqueToolIds, nativeResponses, metricsPath, capacity);
        }
    }
}
