package dev.sluice.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The inference runtimes Sluice knows how to talk to; each has a capability profile. */
public enum BackendKind {
    VLLM, OLLAMA, LLAMACPP, TGI, SGLANG, LOCALAI, LMSTUDIO, DOCKER_MODEL_RUNNER, OPENAI, SIM;

    /** The spelling used in BACKEND_KIND and in docs. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BackendKind parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (BackendKind k : values()) {
            if (k.id().equals(v)) {
                return k;
            }
        }
        throw new IllegalArgumentException("expected one of " + allIds());
    }

    public static String allIds() {
        return Arrays.stream(values()).map(BackendKind::id).collect(Collectors.joining(" | "));
    }
}
