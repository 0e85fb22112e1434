package dev.sluice.config.file;

import dev.sluice.config.Deployment;

import dev.sluice.backend.WireDialect;

import dev.sluice.backend.Provider;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads the {@code params} (or {@code litellm_params}) of one {@code model_list} entry into a {@link Deployment}. */
final class DeploymentReader {
    static final List<String> KEYS =
            List.of("model", "api_base", "api_key", "api_version", "weight", "timeout", "rpm", "tpm",
                    "responses_api", "max_concurrency", "max_parallel_requests");
    /** LiteLLM client settings that are not request parameters: dropped with a warning rather than sent upstream. */
    static final List<String> LITELLM_ONLY = List.of("stream_timeout", "max_retries", "organization",
            "custom_llm_provider", "use_in_pass_through");
    private static final Duration MAX_TIMEOUT = Duration.ofDays(1);

    private final ConfigReader r;

    DeploymentReader(ConfigReader reader) {
        this.r = reader;
    }

    /** The deployment with id {@code <alias>#?}, to be replaced by the caller; null when anything is wrong. */
    Deployment read(String alias, Map<String, Object> params, String path) {
        int before = r.errorCount();
        Provider.Model model = model(params.get("model"), ConfigReader.key(path, "model"));
        Provider provider = model == null ? null : model.provider();

        URI apiBase = apiBase(params.get("api_base"), path, provider);
        String apiKey = apiKey(params.get("api_key"), path, provider);
        int beforeVersion = r.errorCount();
        String apiVersion = r.resolved(params.get("api_version"), ConfigReader.key(path, "api_version"), false);
        if (provider == Provider.AZURE && apiVersion == null && r.errorCount() == beforeVersion) {
            r.error(ConfigReader.key(path, "api_version"), "missing (azure needs the api-version of the Azure OpenAI"
                    + " API, e.g. api_version: 2024-10-21)");
        } else if (provider != null && provider != Provider.AZURE && apiVersion != null) {
            r.warn(ConfigReader.key(path, "api_version"), "only azure uses api_version; ignored for " + provider.id());
            apiVersion = null;
        }
        Integer weight = r.integer(params.get("weight"), ConfigReader.key(path, "weight"), 0, 1_000_000,
                "; 0 takes the deployment out of rotation");
        Duration timeout = r.duration(params.get("timeout"), ConfigReader.key(path, "timeout"), Duration.ofMillis(1),
                MAX_TIMEOUT);
        Integer rpm = r.integer(params.get("rpm"), ConfigReader.key(path, "rpm"), 1, Integer.MAX_VALUE,
                ", requests per minute");
        Integer tpm = r.integer(params.get("tpm"), ConfigReader.key(path, "tpm"), 1, Integer.MAX_VALUE,
                ", tokens per minute");
        Integer maxConcurrency = maxConcurrency(params, path);
        Map<String, Object> extra = extraParams(params, path);
        boolean nativeResponses = responsesApi(params.get("responses_api"), ConfigReader.key(path, "responses_api"));
        if (r.errorCount() > before || model == null) {
            return null;
        }
        return new Deployment(alias + "#?", alias, provider, model.upstreamModel(), apiBase, apiKey, apiVersion,
                weight == null ? Deployment.DEFAULT_WEIGHT : weight, timeout, rpm, tpm, extra, nativeResponses,
                maxConcurrency == null ? 0 : maxConcurrency);
    }

    private Provider.Model model(Object value, String path) {
        if (value == null) {
            r.error(path, "missing (expected provider/model, e.g. vllm/meta-llama/Llama-3.1-8B-Instruct;"
                    + " providers: " + Provider.allIds() + ")");
            return null;
        }
        int before = r.errorCount();
        String text = r.resolved(value, path, false);
        if (text == null) {
            if (r.errorCount() == before) {
                r.error(path, "is empty (expected provider/model, e.g. ollama/llama3.2)");
            }
            return null;
        }
        try {
            return Provider.splitModel(text);
        } catch (IllegalArgumentException e) {
            r.error(path, e.getMessage());
            return null;
        }
    }

    /** The base URL; {@code provider} is null when params.model is bad, and then only the URL itself is checked. */
    private URI apiBase(Object value, String parent, Provider provider) {
        String path = ConfigReader.key(parent, "api_base");
        String text = r.resolved(value, path, false);
        if (provider == null) {
            return text == null ? null : url(text, path, null);
        }
        if (text == null) {
            if (value == null && provider.defaultBaseUrl() == null && provider != Provider.SIM) {
                r.error(path, "missing (" + provider.id() + " has no default URL; give the resource's URL,"
                        + " e.g. api_base: https://my-resource.openai.azure.com)");
            }
            return provider.defaultBaseUrl();
        }
        if (provider == Provider.SIM) {
            r.warn(path, "the simulator makes no network calls; api_base is ignored");
            return null;
        }
        return url(text, path, provider);
    }

    private URI url(String text, String path, Provider provider) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            r.error(path, "'" + withoutUserInfo(text) + "' is not a valid URL (expected e.g. http://127.0.0.1:8000/v1)");
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            r.error(path, "'" + withoutUserInfo(text) + "' is not an http(s) URL (expected an absolute http:// or"
                    + " https:// URL with a host, e.g. http://127.0.0.1:8000/v1)");
            return null;
        }
        if (uri.getRawUserInfo() != null) {
            r.error(path, "must not carry credentials (user:password@); put the key in api_key");
            return null;
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            r.error(path, "must not have a query or fragment (expected e.g. http://127.0.0.1:8000/v1)");
            return null;
        }
        String p = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (provider != null && p.isEmpty() && provider.defaultBaseUrl() != null
                && provider.dialect() == WireDialect.OPENAI) {
            // LiteLLM files give ollama as http://localhost:11434; the OpenAI-compatible API is under /v1
            String def = provider.defaultBaseUrl().getRawPath();
            p = def == null ? "" : def;
        }
        if (provider != null && provider.dialect() == WireDialect.ANTHROPIC && p.endsWith("/v1")) {
            r.warn(path, "ends in /v1, which the gateway adds itself (it calls {api_base}/v1/messages); dropped");
            p = p.substring(0, p.length() - 3);
        }
        try {
            return new URI(scheme, null, uri.getHost(), uri.getPort(), p.isEmpty() ? null : p, null, null);
        } catch (URISyntaxException e) {
            r.error(path, "'" + text + "' is not a valid URL (expected e.g. http://127.0.0.1:8000/v1)");
            return null;
        }
    }

    private String apiKey(Object value, String parent, Provider provider) {
        String path = ConfigReader.key(parent, "api_key");
        int before = r.errorCount();
        String key = r.resolved(value, path, true);
        if (key == null && r.errorCount() == before && provider != null && provider.apiKeyRequired()) {
            String var = provider.id().toUpperCase(Locale.ROOT) + "_API_KEY";
            r.error(path, "missing (" + provider.id() + " needs an API key: give it as os.environ/" + var + ", as ${"
                    + var + "} or inline)");
        }
        return key;
    }

    /** {@code max_concurrency}, or LiteLLM's name for the same, {@code max_parallel_requests}; null when neither. */
    private Integer maxConcurrency(Map<String, Object> params, String path) {
        String key = params.containsKey("max_parallel_requests") ? "max_parallel_requests" : "max_concurrency";
        if (params.containsKey("max_parallel_requests") && params.containsKey("max_concurrency")) {
            r.error(ConfigReader.key(path, key), "is max_concurrency under LiteLLM's name; give one of them");
            return null;
        }
        return r.integer(params.get(key), ConfigReader.key(path, key), 1, 1_000_000,
                ", requests the deployment runs at once (e.g. vLLM's --max-num-seqs); more wait in the alias's queue");
    }

    /** {@code responses_api}: {@code chat} (the default: Responses clients are translated) or {@code native}. */
    private boolean responsesApi(Object value, String path) {
        if (value == null) {
            return false;
        }
        String v = String.valueOf(value).trim();
        if (!v.equals("native") && !v.equals("chat")) {
            r.error(path, "'" + v + "' is not valid (expected: native, when the runtime serves /v1/responses itself,"
                    + " or chat)");
            return false;
        }
        return v.equals("native");
    }

    private Map<String, Object> extraParams(Map<String, Object> params, String path) {
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : params.entrySet()) {
            String k = e.getKey();
            String p = ConfigReader.key(path, k);
            if (KEYS.contains(k) || SpendReader.LITELLM_PRICE_KEYS.contains(k)) {
                continue;
            }
            if (LITELLM_ONLY.contains(k)) {
                r.warn(p, "a LiteLLM client setting Sluice does not use; ignored (not sent upstream)");
                continue;
            }
            String hint = k.equals("base_url") ? "; did you mean 'api_base'?" : ConfigReader.suggestion(k, KEYS);
            if (!hint.isEmpty()) {
                r.warn(p, "not a Sluice setting, so it is sent upstream as a request parameter" + hint);
            }
            Object v = e.getValue();
            extra.put(k, v instanceof String ? r.resolved(v, p, true) : v);
        }
        return extra;
    }

    /** The URL as typed minus any {@code user:password@}: problems are printed, and a password must not be. */
    static String withoutUserInfo(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        return scheme >= 0 && at > scheme ? url.substring(0, scheme + 3) + "***@" + url.substring(at + 1) : url;
    }
}
