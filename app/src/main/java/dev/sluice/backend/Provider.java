package dev.sluice.backend;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where a deployment's requests go, named by the prefix of {@code params.model} in the config file
 * ({@code vllm/meta-llama/Llama-3.1-8B-Instruct}, {@code groq/llama-3.1-8b-instant}). Each provider knows its
 * spellings (LiteLLM's and docker model gateway's included), its default base URL, the capability profile it
 * uses, whether it needs an API key and which wire dialect it speaks.
 */
public enum Provider {
    // local runtimes: the default base URL is the runtime's default port on loopback (ConfigLoader.defaultBaseUrl)
    VLLM(BackendKind.VLLM, WireDialect.OPENAI, false, null, "vllm", "hosted_vllm"),
    OLLAMA(BackendKind.OLLAMA, WireDialect.OPENAI, false, null, "ollama", "ollama_chat"),
    LLAMACPP(BackendKind.LLAMACPP, WireDialect.OPENAI, false, null, "llamacpp", "llama_cpp"),
    TGI(BackendKind.TGI, WireDialect.OPENAI, false, null, "tgi"),
    SGLANG(BackendKind.SGLANG, WireDialect.OPENAI, false, null, "sglang"),
    LOCALAI(BackendKind.LOCALAI, WireDialect.OPENAI, false, null, "localai"),
    LM_STUDIO(BackendKind.LMSTUDIO, WireDialect.OPENAI, false, null, "lm_studio", "lmstudio"),
    DOCKER_MODEL_RUNNER(BackendKind.DOCKER_MODEL_RUNNER, WireDialect.OPENAI, false, null, "docker_model_runner", "dmr"),
    /** A TGI-compatible server (a Hugging Face Inference Endpoint or a local {@code text-generation-launcher}). */
    HUGGINGFACE(BackendKind.TGI, WireDialect.OPENAI, false, null, "huggingface"),
    /** The built-in simulator: fixed answers, no network; for tests and demos. */
    SIM(BackendKind.SIM, WireDialect.OPENAI, false, null, "sim"),

    // hosted OpenAI-compatible APIs
    OPENAI(BackendKind.OPENAI, WireDialect.OPENAI, true, "https://api.openai.com/v1", "openai"),
    GROQ(BackendKind.OPENAI, WireDialect.OPENAI, true, "https://api.groq.com/openai/v1", "groq"),
    MISTRAL(BackendKind.OPENAI, WireDialect.OPENAI, true, "https://api.mistral.ai/v1", "mistral"),
    TOGETHER_AI(BackendKind.OPENAI, WireDialect.OPENAI, true, "https://api.together.xyz/v1", "together_ai"),
    DEEPSEEK(BackendKind.OPENAI, WireDialect.OPENAI, true, "https://api.deepseek.com/v1", "deepseek"),
    FIREWORKS_AI(BackendKind.OPENAI, WireDialect.OPENAI, true, "https://api.fireworks.ai/inference/v1", "fireworks_ai"),
    OPENROUTER(BackendKind.OPENAI, WireDialect.OPENAI, true, "https://openrouter.ai/api/v1", "openrouter"),
    PERPLEXITY(BackendKind.OPENAI, WireDialect.OPENAI, true, "https://api.perplexity.ai", "perplexity"),
    XAI(BackendKind.OPENAI, WireDialect.OPENAI, true, "https://api.x.ai/v1", "xai"),
    NVIDIA_NIM(BackendKind.OPENAI, WireDialect.OPENAI, true, "https://integrate.api.nvidia.com/v1", "nvidia_nim"),
    CEREBRAS(BackendKind.OPENAI, WireDialect.OPENAI, true, "https://api.cerebras.ai/v1", "cerebras"),
    SAMBANOVA(BackendKind.OPENAI, WireDialect.OPENAI, true, "https://api.sambanova.ai/v1", "sambanova"),
    DEEPINFRA(BackendKind.OPENAI, WireDialect.OPENAI, true, "https://api.deepinfra.com/v1/openai", "deepinfra"),

    /** Azure OpenAI: {@code api_base} and {@code api_version} are required; the model is the deployment name. */
    AZURE(BackendKind.OPENAI, WireDialect.AZURE, true, null, "azure"),
    /** The real Anthropic Messages API; OpenAI clients are translated (protocols.md §3.3, §3.4, §3.9). */
    ANTHROPIC(BackendKind.OPENAI, WireDialect.ANTHROPIC, true, "https://api.anthropic.com", "anthropic");

    private final BackendKind backendKind;
    private final WireDialect dialect;
    private final boolean apiKeyRequired;
    private final URI defaultBaseUrl;
    private final List<String> ids;

    Provider(BackendKind backendKind, WireDialect dialect, boolean apiKeyRequired, String hostedBaseUrl, String... ids) {
        this.backendKind = backendKind;
        this.dialect = dialect;
        this.apiKeyRequired = apiKeyRequired;
        String base = apiKeyRequired ? hostedBaseUrl : backendKind.defaultBaseUrl();
        this.defaultBaseUrl = base == null ? null : URI.create(base);
        this.ids = List.of(ids);
    }

    /** The canonical prefix, as written in {@code params.model}. */
    public String id() {
        return ids.getFirst();
    }

    /** Every accepted spelling, canonical first (e.g. {@code vllm}, {@code hosted_vllm}). */
    public List<String> ids() {
        return ids;
    }

    /** The base URL used when {@code api_base} is not given; null where it must be given (azure) or none is needed (sim). */
    public URI defaultBaseUrl() {
        return defaultBaseUrl;
    }

    /** Whose capability profile ({@code BackendProfile.of}) this provider's deployments use. */
    public BackendKind backendKind() {
        return backendKind;
    }

    public WireDialect dialect() {
        return dialect;
    }

    /** Hosted APIs reject requests without a key, so the config file must give one. */
    public boolean apiKeyRequired() {
        return apiKeyRequired;
    }

    /** A local runtime (or the simulator), as opposed to a hosted API. */
    public boolean local() {
        return !apiKeyRequired;
    }

    /** The provider for a prefix such as {@code hosted_vllm} (case and {@code -}/{@code _} do not matter). */
    public static Provider parse(String prefix) {
        String p = prefix.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (Provider provider : values()) {
            if (provider.ids.contains(p)) {
                return provider;
            }
        }
        throw new IllegalArgumentException("'" + prefix + "' is not a known provider (expected one of " + allIds() + ")");
    }

    /** The canonical ids, for messages. */
    public static String allIds() {
        return Arrays.stream(values()).map(Provider::id).collect(Collectors.joining(", "));
    }

    /**
     * Splits {@code provider/upstream-model} at the first slash only: upstream names have slashes of their own
     * ({@code vllm/meta-llama/Llama-3.1-8B-Instruct} is vLLM serving {@code meta-llama/Llama-3.1-8B-Instruct}).
     */
    public static Model splitModel(String model) {
        int slash = model.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + model + "' has no provider prefix (expected provider/model,"
                    + " e.g. vllm/meta-llama/Llama-3.1-8B-Instruct or ollama/llama3.2; providers: " + allIds() + ")");
        }
        Provider provider = parse(model.substring(0, slash));
        String upstream = model.substring(slash + 1).trim();
        if (upstream.isEmpty()) {
            throw new IllegalArgumentException("'" + model + "' names no model after the provider (expected "
                    + provider.id() + "/<model>)");
        }
        return new Model(provider, upstream);
    }

    /** {@code params.model}, split. */
    public record Model(Provider provider, String upstreamModel) {}

    /**
     * The path and query of an Azure OpenAI call, appended to {@code api_base}:
     * {@code /openai/deployments/{deployment}/{operation}?api-version={apiVersion}}.
     *
     * @param operation {@code chat/completions}, {@code completions} or {@code embeddings}
     */
    public static String azurePath(String deployment, String operation, String apiVersion) {
        return "/openai/deployments/" + URLEncoder.encode(deployment, StandardCharsets.UTF_8).replace("+", "%20")
                + "/" + operation + "?api-version=" + URLEncoder.encode(apiVersion, StandardCharsets.UTF_8);
    }
}
