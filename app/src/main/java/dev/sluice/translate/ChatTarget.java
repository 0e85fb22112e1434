package dev.sluice.translate;

import dev.sluice.protocol.ThinkingSwitch;
import dev.sluice.protocol.TokenLimitField;
import java.util.regex.Pattern;

/**
 * What a translator needs to know about the OpenAI-compatible chat backend it writes for: capabilities as data,
 * so no translator asks which runtime it is. Made from the deployment's profile by the endpoint layer.
 *
 * @param runtime the runtime's name, for messages only (e.g. {@code vllm})
 * @param fixedModel the model name the runtime must be sent whatever was asked (TGI), or null
 * @param multipleChoices the runtime honours {@code n > 1}
 * @param streamUsage the runtime honours {@code stream_options.include_usage}
 * @param onlyMaxTokens the runtime reads {@code max_tokens} but ignores {@code max_completion_tokens}
 * @param embeddingsBase64 the runtime returns base64 embeddings itself
 * @param imageUrls the runtime fetches http(s) image URLs itself
 * @param toolChoiceNone the runtime honours {@code tool_choice: "none"}; otherwise tools are not offered
 * @param thinking how the runtime switches reasoning on and off
 * @param mistralToolIds with a Mistral-family model the runtime needs 9-character alphanumeric tool-call ids
 * @param tokenField the field that carries a translated request's output limit
 * @param maxStopSequences how many stop sequences the runtime takes; 0 for no limit
 * @param topK the runtime takes {@code top_k}
 * @param reasoningModels which models reason (and take no sampling settings), or null for every model
 * @param replayReasoning earlier thinking goes back as {@code reasoning_content}
 * @param continueFinalMessage a final assistant message is continued, not answered
 * @param uniqueToolIds the runtime's tool-call ids are unique; otherwise the gateway mints them
 */
public record ChatTarget(String runtime, String fixedModel, boolean multipleChoices, boolean streamUsage,
        boolean onlyMaxTokens, boolean embeddingsBase64, boolean imageUrls, boolean toolChoiceNone,
        ThinkingSwitch thinking, boolean mistralToolIds, TokenLimitField tokenField, int maxStopSequences,
        boolean topK, Pattern reasoningModels, boolean replayReasoning, boolean continueFinalMessage,
        boolean uniqueToolIds) {

    /** Whether {@code model} reasons, as far as this runtime's settings go. */
    public boolean reasoningModel(String model) {
        return reasoningModels == null || (model != null && reasoningModels.matcher(model).find());
    }
}
