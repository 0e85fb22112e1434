package dev.sluice.endpoint;

import dev.sluice.backend.BackendProfile;
import dev.sluice.protocol.TokenLimitField;
import dev.sluice.translate.ChatTarget;
import dev.sluice.translate.ResponsesOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** The one place a deployment's profile becomes the capability options translators receive. */
public final class Capabilities {
    /** Profiles are few and fixed: each pattern is compiled once. */
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    private Capabilities() {}

    public static ChatTarget of(BackendProfile p) {
        Pattern reasoning = p.reasoningModels() == null ? null
                : PATTERNS.computeIfAbsent(p.reasoningModels(), r -> Pattern.compile(r, Pattern.CASE_INSENSITIVE));
        return new ChatTarget(p.kind().id(), p.upstreamModel(), p.multipleChoices(), p.streamUsage(),
                p.onlyMaxTokens(), p.embeddingsBase64(), p.imageUrls(), p.toolChoiceNone(), p.thinking(),
                p.mistralToolIds(), p.tokenField(), p.maxStopSequences(), p.topK(), reasoning, p.replayReasoning(),
                p.continueFinalMessage(), p.uniqueToolIds());
    }

    /** What a Responses request may carry toward the chat runtime of {@code p}. */
    public static ResponsesOptions responses(BackendProfile p) {
        // the profile of OpenAI's own API (max_completion_tokens) also takes user, prompt_cache_key and file parts
        ResponsesOptions o = p.tokenField() == TokenLimitField.MAX_COMPLETION_TOKENS ? ResponsesOptions.openAi()
                : ResponsesOptions.local();
        return o.withToolChoice(p.toolChoiceNone()).withReplayReasoning(p.replayReasoning());
    }
}
