package dev.sluice.config.file;

import dev.sluice.config.Precedence;

import dev.sluice.config.CacheSettings;
import dev.sluice.config.ConfigException;
import dev.sluice.config.GeneralSettings;
import dev.sluice.config.NamedKey;
import dev.sluice.config.Price;
import dev.sluice.config.SpendSettings;
import dev.sluice.config.RedisSettings;

import dev.sluice.config.Deployment;
import dev.sluice.config.FileConfig;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a Sluice config file: LiteLLM's {@code config.yaml} and {@code docker model gateway}'s format, plus
 * Sluice's additions (docs/CONFIG-FILE.md). Every problem is collected with its key path, so one run shows all of
 * them; unknown keys are warnings. Secrets are resolved from the environment and never appear in a message.
 */
public final class FileConfigLoader {
    static final List<String> TOP_LEVEL_KEYS =
            List.of("model_list", "general_settings", "router_settings", "litellm_settings", "keys");
    private static final List<String> ENTRY_KEYS = List.of("model_name", "params", "litellm_params", "model_info", "id",
            "cache", "price", "budget");
    private static final String ENTRY_EXAMPLE = "{model_name: llama, params: {model: vllm/meta-llama/Llama-3.1-8B-Instruct}}";

    /**
     * The outcome of reading a file.
     *
     * @param config the configuration, or null when there are errors
     * @param errors every problem that stops the gateway from starting, each prefixed with its key path
     * @param warnings things that were ignored (unknown keys, LiteLLM-only settings), each with its key path
     */
    public record Result(FileConfig config, List<String> errors, List<String> warnings) {
        public Result {
            errors = List.copyOf(errors);
            warnings = List.copyOf(warnings);
        }

        public boolean ok() {
            return errors.isEmpty();
        }
    }

    private FileConfigLoader() {}

    /** The configuration in {@code yamlText}; {@code env} resolves {@code os.environ/VAR} and {@code ${VAR}}. */
    public static FileConfig load(String yamlText, Function<String, String> env) {
        return orThrow(check(yamlText, env));
    }

    public static FileConfig load(Path file, Function<String, String> env) {
        return orThrow(check(file, env));
    }

    private static FileConfig orThrow(Result result) {
        if (!result.ok()) {
            throw new ConfigException(result.errors());
        }
        return result.config();
    }

    /** Reads the file and reports every problem and warning instead of throwing. */
    public static Result check(Path file, Function<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return failed(file + ": no such file (give the path of a YAML config file with -c, --config or"
                    + " SLUICE_CONFIG)");
        } catch (MalformedInputException e) {
            return failed(file + ": is not UTF-8 text (expected a YAML config file)");
        } catch (IOException e) {
            return failed(file + ": cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        return check(text, env);
    }

    public static Result check(String yamlText, Function<String, String> env) {
        YamlText.Parsed parsed;
        try {
            parsed = YamlText.parse(yamlText);
        } catch (YamlText.SyntaxError e) {
            return failed(e.getMessage());
        }
        ConfigReader r = new ConfigReader(parsed, env);
        if (parsed.root() == null) {
            return failed("the file is empty (expected at least model_list: with one deployment; see"
                    + " docs/CONFIG-FILE.md)");
        }
        if (!(parsed.root() instanceof Map<?, ?>)) {
            return failed("the file must be a mapping with model_list: at the top, found "
                    + ConfigReader.show(parsed.root()));
        }
        Map<String, Object> root = r.map(parsed.root(), "", "model_list: [...]");
        for (String key : root.keySet()) {
            if (key.equals("environment_variables")) {
                r.warn(key, "not supported, ignored: set these variables in the gateway's environment instead");
            } else if (!TOP_LEVEL_KEYS.contains(key)) {
                r.warn(key, "unknown key, ignored" + ConfigReader.suggestion(key, TOP_LEVEL_KEYS) + " (top-level keys: "
                        + String.join(", ", TOP_LEVEL_KEYS) + ")");
            }
        }
        Set<String> aliases = new LinkedHashSet<>();
        Map<String, Price> prices = new LinkedHashMap<>();
        List<Deployment> deployments = modelList(root, r, aliases, prices);
        Map<String, CacheSettings> caches = CacheSettingsReader.read(root, r);
        SpendSettings spending = new SpendSettings(prices,
                PerAliasReader.read(root, r, "budget", (value, path) -> SpendReader.budget(value, path, r)));
        GeneralSettings general = new SettingsReader(r, aliases).read(root);
        List<NamedKey> keys = KeysReader.keys(root, r);
        RedisSettings redis = KeysReader.redis(root, r);
        List<String> errors = r.errors();
        List<String> warnings = new ArrayList<>(r.warnings());
        warnings.addAll(Precedence.overrides(env, root));
        return new Result(errors.isEmpty() ? new FileConfig(deployments, general, caches, keys, redis, spending)
                : null, errors,
                warnings);
    }

    private static Result failed(String problem) {
        return new Result(null, List.of(problem), List.of());
    }

    /** @param prices filled with the price of each deployment that has one, by its id */
    private static List<Deployment> modelList(Map<String, Object> root, ConfigReader r, Set<String> aliases,
            Map<String, Price> prices) {
        List<Object> entries = r.list(root.get("model_list"), "model_list", "[" + ENTRY_EXAMPLE + "]");
        if (entries == null) {
            if (root.get("model_list") == null) {
                r.error("model_list", "missing (expected a list of deployments, e.g. model_list: [" + ENTRY_EXAMPLE
                        + "])");
            }
            return List.of();
        }
        if (entries.isEmpty()) {
            r.error("model_list", "is empty (expected at least one deployment, e.g. " + ENTRY_EXAMPLE + ")");
            return List.of();
        }
        DeploymentReader reader = new DeploymentReader(r);
        Map<String, Integer> poolSizes = new LinkedHashMap<>();
        Map<String, String> idPaths = new LinkedHashMap<>();
        List<Deployment> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String path = ConfigReader.index("model_list", i);
            Map<String, Object> entry = r.map(entries.get(i), path, ENTRY_EXAMPLE);
            if (entry == null) {
                if (entries.get(i) == null) {
                    r.error(path, "is empty (expected e.g. " + ENTRY_EXAMPLE + ")");
                }
                continue;
            }
            r.unknownKeys(entry, path, ENTRY_KEYS, "model_list entry keys");
            String alias = r.string(entry.get("model_name"), ConfigReader.key(path, "model_name"));
            if (alias == null && !(entry.get("model_name") instanceof Map || entry.get("model_name") instanceof List)) {
                r.error(ConfigReader.key(path, "model_name"), "missing (expected the name clients send, e.g."
                        + " model_name: llama)");
            }
            if (alias != null) {
                aliases.add(alias);
            }
            String paramsKey = entry.containsKey("params") || !entry.containsKey("litellm_params") ? "params"
                    : "litellm_params";
            if (entry.containsKey("params") && entry.containsKey("litellm_params")) {
                r.error(path, "has both params and litellm_params (expected one of them; they mean the same)");
                continue;
            }
            String paramsPath = ConfigReader.key(path, paramsKey);
            Map<String, Object> params = r.map(entry.get(paramsKey), paramsPath,
                    "params: {model: vllm/meta-llama/Llama-3.1-8B-Instruct}");
            if (params == null) {
                if (entry.get(paramsKey) == null) {
                    r.error(paramsPath, "missing (expected e.g. params: {model: ollama/llama3.2})");
                }
                continue;
            }
            Deployment d = reader.read(alias == null ? "?" : alias, params, paramsPath);
            Price price = SpendReader.price(entry, params, path, paramsPath, r);
            String explicitId = explicitId(entry, path, r);
            if (alias == null) {
                continue;
            }
            int n = poolSizes.merge(alias, 1, Integer::sum);
            String id = explicitId != null ? explicitId : alias + "#" + n;
            if (idPaths.containsKey(id)) {
                r.error(explicitId != null ? idPathOf(entry, path) : path, "id '" + id + "' is already used by "
                        + idPaths.get(id) + " (expected: unique ids; set model_info.id on one of them)");
                continue;
            }
            idPaths.put(id, path);
            if (d != null) {
                out.add(d.withId(id));
                if (price != null) {
                    prices.put(id, price);
                }
            }
        }
        checkWeights(out, r);
        return out;
    }

    private static String explicitId(Map<String, Object> entry, String path, ConfigReader r) {
        String fromInfo = null;
        if (entry.get("model_info") instanceof Map<?, ?> info) {
            fromInfo = r.string(info.get("id"), ConfigReader.key(path, "model_info.id"));
        } else if (entry.get("model_info") != null) {
            r.map(entry.get("model_info"), ConfigReader.key(path, "model_info"), "model_info: {id: gpu-box-1}");
        }
        String direct = r.string(entry.get("id"), ConfigReader.key(path, "id"));
        if (fromInfo != null && direct != null && !fromInfo.equals(direct)) {
            r.error(ConfigReader.key(path, "id"), "'" + direct + "' differs from model_info.id '" + fromInfo
                    + "' (expected one id; keep one of them)");
        }
        return fromInfo != null ? fromInfo : direct;
    }

    private static String idPathOf(Map<String, Object> entry, String path) {
        return entry.get("model_info") instanceof Map<?, ?> info && info.get("id") != null
                ? ConfigReader.key(path, "model_info.id") : ConfigReader.key(path, "id");
    }

    private static void checkWeights(List<Deployment> deployments, ConfigReader r) {
        Map<String, Integer> total = new LinkedHashMap<>();
        for (Deployment d : deployments) {
            total.merge(d.alias(), d.weight(), Integer::sum);
        }
        total.forEach((alias, sum) -> {
            if (sum == 0) {
                r.error("model_list", "every deployment of '" + alias + "' has weight 0, so nothing can serve it"
                        + " (expected: at least one with weight >= 1)");
            }
        });
    }
}
