package dev.sluice.endpoint;

import dev.sluice.backend.BackendProfile;
import dev.sluice.backend.BackendKind;
import dev.sluice.translate.ChatTarget;
import dev.sluice.translate.ResponsesOptions;

/** The one place a deployment's profile becomes the capability options translators receive. */
public final class Capabilities {
    private Capabilities() {}

    public static ChatTarget of(BackendProfile p) {
        return new ChatTarget(p.kind().id(), p.upstreamModel(), p.multipleChoices(), p.streamUsage(),
                p.onlyMaxTokens(), p.embeddingsBase64(), p.imageUrls(), p.toolChoiceNone(), p.thinking(),
                p.mistralToolIds());
    }

    /** What a Responses request may carry toward the chat runtime of {@code p}. */
    public static ResponsesOptions responses(BackendProfile p) {
        // OpenAI's own chat API takes max_completion_tokens, user and prompt_cache_key; local runtimes differ
        ResponsesOptions o = p.kind() == BackendKind.OPENAI ? ResponsesOptions.openAi() : ResponsesOptions.local();
        return o.withToolChoice(p.toolChoiceNone());
    }
}
