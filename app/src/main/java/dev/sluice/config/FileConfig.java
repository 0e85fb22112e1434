package dev.sluice.config;

import dev.sluice.backend.BackendKind;
import dev.sluice.backend.Provider;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What the router works from: every deployment and the gateway-wide settings. Read from a config file by
 * {@link FileConfigLoader}, or built from the environment variables by {@link #fromEnv(GatewayConfig)}.
 *
 * @param deployments in file order; those sharing an alias form a pool, in the same order
 * @param caches the response cache of each alias that has one (docs/CACHE.md)
 * @param spending the deployments' prices and the aliases' budgets (docs/KEYS-AND-BUDGETS.md)
 */
public record FileConfig(List<Deployment> deployments, GeneralSettings general, Map<String, CacheSettings> caches,
        List<NamedKey> keys, RedisSettings redis, SpendSettings spending) {

    /** The alias of the implicit deployment when MODEL_NAME is empty: any model name, forwarded as sent. */
    public static final String ANY_MODEL = "*";

    public FileConfig {
        deployments = List.copyOf(deployments);
        Objects.requireNonNull(general, "general");
        caches = Map.copyOf(caches);
        keys = List.copyOf(keys);
        redis = redis == null ? RedisSettings.none() : redis;
        spending = spending == null ? SpendSettings.none() : spending;
    }

    /** No prices, no alias budgets. */
    public FileConfig(List<Deployment> deployments, GeneralSettings general, Map<String, CacheSettings> caches,
            List<NamedKey> keys, RedisSettings redis) {
        this(deployments, general, caches, keys, redis, SpendSettings.none());
    }

    /** No response caches, no named keys, no Redis settings. */
    public FileConfig(List<Deployment> deployments, GeneralSettings general) {
        this(deployments, general, Map.of(), List.of(), RedisSettings.none());
    }

    /** With response caches only. */
    public FileConfig(List<Deployment> deployments, GeneralSettings general, Map<String, CacheSettings> caches) {
        this(deployments, general, caches, List.of(), RedisSettings.none());
    }

    /** With named keys and Redis settings only. */
    public FileConfig(List<Deployment> deployments, GeneralSettings general, List<NamedKey> keys,
            RedisSettings redis) {
        this(deployments, general, Map.of(), keys, redis);
    }

    /**
     * Environment-only configuration as one implicit deployment: BACKEND_KIND, BACKEND_BASE_URL, BACKEND_API_KEY,
     * and MODEL_NAME as both alias and upstream name ({@link #ANY_MODEL} and the client's own name when empty).
     * MODEL_ALIASES stay with {@link ModelNames}; the settings are the defaults.
     */
    public static FileConfig fromEnv(GatewayConfig config) {
        String alias = config.hasModelName() ? config.modelName() : ANY_MODEL;
        Deployment d = new Deployment(alias + "#1", alias, provider(config.backendKind()),
                config.hasModelName() ? config.modelName() : null, config.backendBaseUrl(),
                config.backendApiKey() == null || config.backendApiKey().isEmpty() ? null : config.backendApiKey(),
                null, Deployment.DEFAULT_WEIGHT, null, null, null, Map.of());
        return new FileConfig(List.of(d), GeneralSettings.defaults());
    }

    /** The provider serving a BACKEND_KIND. */
    public static Provider provider(BackendKind kind) {
        return switch (kind) {
            case VLLM -> Provider.VLLM;
            case OLLAMA -> Provider.OLLAMA;
            case LLAMACPP -> Provider.LLAMACPP;
            case TGI -> Provider.TGI;
            case SGLANG -> Provider.SGLANG;
            case LOCALAI -> Provider.LOCALAI;
            case LMSTUDIO -> Provider.LM_STUDIO;
            case DOCKER_MODEL_RUNNER -> Provider.DOCKER_MODEL_RUNNER;
            case OPENAI -> Provider.OPENAI;
            case SIM -> Provider.SIM;
        };
    }

    /** Deployments by alias, aliases in order of first appearance. */
    public Map<String, List<Deployment>> pools() {
        Map<String, List<Deployment>> pools = new LinkedHashMap<>();
        for (Deployment d : deployments) {
            pools.computeIfAbsent(d.alias(), a -> new ArrayList<>()).add(d);
        }
        pools.replaceAll((alias, list) -> List.copyOf(list));
        return Collections.unmodifiableMap(pools);
    }

    /** The aliases clients may send, in file order ({@code /v1/models} lists these). */
    public List<String> aliases() {
        return List.copyOf(pools().keySet());
    }

    /** One line for {@code sluice validate}: {@code 3 deployments in 2 pools, fallbacks: a -> b, c}. */
    public String summary() {
        int n = deployments.size();
        int pools = pools().size();
        String fallbacks = general.fallbacks().isEmpty() ? "none" : general.fallbacks().entrySet().stream()
                .map(e -> e.getKey() + " -> " + String.join(", ", e.getValue()))
                .collect(Collectors.joining("; "));
        return n + (n == 1 ? " deployment" : " deployments") + " in " + pools + (pools == 1 ? " pool" : " pools")
                + ", fallbacks: " + fallbacks;
    }
}
