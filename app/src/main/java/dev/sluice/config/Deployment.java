package dev.sluice.config;

import dev.sluice.backend.BackendKind;
import dev.sluice.backend.Provider;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One upstream that can serve an alias: an entry of {@code model_list}. Entries sharing an alias form a pool.
 *
 * @param id unique across the file: {@code model_info.id} or {@code id} when given, else {@code <alias>#<n>} with n
 *     the entry's 1-based position in its pool
 * @param alias the {@code model_name} clients send; {@code *} stands for any name no other pool claims
 * @param upstreamModel the model name sent upstream (the Azure deployment name for azure); null means "send the
 *     client's name" (environment-only config without MODEL_NAME)
 * @param apiBase the base URL, {@code api_base} or the provider's default; null only for the simulator
 * @param apiKey the resolved key, or null when none is given; never printed
 * @param apiVersion Azure's {@code api-version}; null for other providers
 * @param weight share of the pool's traffic under weighted routing; 0 takes the deployment out of rotation
 * @param timeout whole-request timeout for this deployment; null means the gateway's REQUEST_TIMEOUT_S
 * @param rpm requests per minute this deployment accepts; null means unlimited
 * @param tpm tokens per minute this deployment accepts; null means unlimited
 * @param extraParams the other {@code params} keys, as written: request defaults such as {@code temperature}
 *     or {@code extra_body}
 * @param nativeResponses {@code responses_api: native}: the runtime serves {@code /v1/responses} itself (recent
 *     vLLM), so Responses clients are passed through instead of translated to chat
 * @param maxConcurrency {@code max_concurrency}: requests it may have at once, those beyond it wait in the pool's
 *     queue (docs/ROUTING.md, admission control); 0 for no limit of its own
 */
public record Deployment(
        String id,
        String alias,
        Provider provider,
        String upstreamModel,
        URI apiBase,
        String apiKey,
        String apiVersion,
        int weight,
        Duration timeout,
        Integer rpm,
        Integer tpm,
        Map<String, Object> extraParams,
        boolean nativeResponses,
        int maxConcurrency) {

    public static final int DEFAULT_WEIGHT = 1;

    public Deployment(String id, String alias, Provider provider, String upstreamModel, URI apiBase, String apiKey,
            String apiVersion, int weight, Duration timeout, Integer rpm, Integer tpm, Map<String, Object> extraParams,
            boolean nativeResponses) {
        this(id, alias, provider, upstreamModel, apiBase, apiKey, apiVersion, weight, timeout, rpm, tpm, extraParams,
                nativeResponses, 0);
    }

    public Deployment(String id, String alias, Provider provider, String upstreamModel, URI apiBase, String apiKey,
            String apiVersion, int weight, Duration timeout, Integer rpm, Integer tpm, Map<String, Object> extraParams) {
        this(id, alias, provider, upstreamModel, apiBase, apiKey, apiVersion, weight, timeout, rpm, tpm, extraParams,
                false);
    }

    public Deployment {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(provider, "provider");
        if (weight < 0 || maxConcurrency < 0) {
            throw new IllegalArgumentException("weight: " + weight + ", maxConcurrency: " + maxConcurrency
                    + " (expected: >= 0)");
        }
        extraParams = Collections.unmodifiableMap(new LinkedHashMap<>(extraParams));
    }

    /** This deployment under another id. */
    public Deployment withId(String newId) {
        return new Deployment(newId, alias, provider, upstreamModel, apiBase, apiKey, apiVersion, weight, timeout, rpm,
                tpm, extraParams, nativeResponses, maxConcurrency);
    }

    public boolean hasApiKey() {
        return apiKey != null && !apiKey.isEmpty();
    }

    /** Whose capability profile this deployment uses. */
    public BackendKind backendKind() {
        return provider.backendKind();
    }

    /**
     * The URL of an operation such as {@code chat/completions} or {@code embeddings}, in this provider's dialect:
     * {@code {api_base}/{operation}}; for azure {@code {api_base}/openai/deployments/{model}/{operation}?api-version=};
     * for anthropic {@code {api_base}/v1/{operation}} (e.g. {@code messages}).
     */
    public URI url(String operation) {
        Objects.requireNonNull(apiBase, "apiBase");
        String base = apiBase.toString();
        return URI.create(switch (provider.dialect()) {
            case OPENAI -> base + "/" + operation;
            case AZURE -> base + Provider.azurePath(upstreamModel, operation, apiVersion);
            case ANTHROPIC -> base + "/v1/" + operation;
        });
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "Deployment[id=" + id + ", alias=" + alias + ", provider=" + provider.id() + ", upstreamModel="
                + upstreamModel + ", apiBase=" + apiBase + ", apiKey=" + (hasApiKey() ? "***" : "none")
                + ", apiVersion=" + apiVersion + ", weight=" + weight + ", timeout=" + timeout + ", rpm=" + rpm
                + ", tpm=" + tpm + ", maxConcurrency=" + maxConcurrency + ", extraParams=" + extraParams.keySet() + "]";
    }
}
