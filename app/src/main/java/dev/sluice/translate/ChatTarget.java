package dev.sluice.translate;

import dev.sluice.protocol.ThinkingSwitch;

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
 */
public record ChatTarget(String runtime, String fixedModel, boolean multipleChoices, boolean streamUsage,
        boolean onlyMaxTokens, boolean embeddingsBase64, boolean imageUrls, boolean toolChoiceNone,
        ThinkingSwitch thinking, boolean mistralToolIds) {}
