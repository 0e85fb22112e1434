package dev.sluice.backend;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The inference runtimes Sluice knows how to talk to; each has a capability profile. */
public enum BackendKind {
    // default ports and base paths per runtime (protocols.md §4.1): the one table of default base URLs
    VLLM("http://127.0.0.1:8000/v1"),
    OLLAMA("http://127.0.0.1:11434/v1"),
    LLAMACPP("http://127.0.0.1:8080/v1"),
    TGI("http://127.0.0.1:3000/v1"),
    SGLANG("http://127.0.0.1:30000/v1"),
    LOCALAI("http://127.0.0.1:8080/v1"),
    LMSTUDIO("http://127.0.0.1:1234/v1"),
    DOCKER_MODEL_RUNNER("http://127.0.0.1:12434/engines/v1"),
    OPENAI("https://api.openai.com/v1"),
    SIM(null);

    private final String defaultBaseUrl;

    BackendKind(String defaultBaseUrl) {
        this.defaultBaseUrl = defaultBaseUrl;
    }

    /** Where this runtime listens by default; null for the simulator, which needs no address. */
    public String defaultBaseUrl() {
        return defaultBaseUrl;
    }

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
