package dev.sluice.endpoint;

import dev.sluice.backend.BackendProfile;
import dev.sluice.translate.ChatTarget;

/** The one place a deployment's profile becomes the capability options translators receive. */
public final class Capabilities {
    private Capabilities() {}

    public static ChatTarget of(BackendProfile p) {
        return new ChatTarget(p.kind().id(), p.upstreamModel(), p.multipleChoices(), p.streamUsage(),
                p.onlyMaxTokens(), p.embeddingsBase64(), p.imageUrls(), p.toolChoiceNone(), p.thinking(),
                p.mistralToolIds());
    }
}
