package dev.sluice.config;

import dev.sluice.backend.BackendKind;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Everything the gateway reads from its environment, validated once at startup.
 *
 * @param apiKeys client keys; empty means auth is off
 * @param backendBaseUrl the OpenAI-compatible base URL (ends in {@code /v1} or the runtime's equivalent); null for sim
 * @param modelName the model clients ask for; blank means "forward whatever the client sends"
 * @param modelAliases further names (globs with {@code *}) that mean {@code modelName}
 * @param masterKey SLUICE_MASTER_KEY: the key of the key admin API, also a client key; null when unset. With a config
 *     file it wins over {@code general_settings.master_key} ({@link Precedence})
 */
public record GatewayConfig(
        String apiHost,
        int apiPort,
        List<String> apiKeys,
        BackendKind backendKind,
        URI backendBaseUrl,
        String backendApiKey,
        String modelName,
        List<String> modelAliases,
        List<String> corsOrigins,
        boolean corsAllowCredentials,
        boolean rateLimitEnabled,
        int rateLimitRpm,
        int rateLimitBurst,
        int numRetries,
        Duration requestTimeout,
        Duration connectTimeout,
        Duration firstByteTimeout,
        Duration idleTimeout,
        Duration keepAliveInterval,
        long maxRequestBytes,
        List<Cidr> trustedProxies,
        String logLevel,
        boolean logJson,
        boolean logPrompts,
        boolean metricsEnabled,
        dev.sluice.backend.SimConfig sim,
        int sseMaxEventBytes,
        String masterKey) {

    public GatewayConfig {
        apiKeys = List.copyOf(apiKeys);
        modelAliases = List.copyOf(modelAliases);
        corsOrigins = List.copyOf(corsOrigins);
        trustedProxies = List.copyOf(trustedProxies);
    }

    /** Never prints a key: API_KEYS by count, the master key by whether there is one. */
    @Override
    public String toString() {
        return "GatewayConfig[" + apiHost + ":" + apiPort + ", " + apiKeys.size() + " API_KEYS, master key "
                + (masterKey == null ? "none" : "***") + ", backend " + backendKind.id() + " " + backendBaseUrl
                + ", model " + modelName + "]";
    }

    public boolean authEnabled() {
        return !apiKeys.isEmpty();
    }

    public boolean hasModelName() {
        return modelName != null && !modelName.isBlank();
    }

    /** BACKEND_KIND as spelled in the environment (e.g. {@code vllm}), for pages and logs. */
    public String backendId() {
        return backendKind().id();
    }
}
