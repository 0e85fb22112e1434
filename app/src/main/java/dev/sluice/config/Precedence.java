package dev.sluice.config;

import dev.sluice.config.env.ConfigLoader;
import dev.sluice.config.env.EnvSettings;

import java.util.List;
import java.util.function.Function;

/**
 * The one rule for a setting that exists both as an environment variable and in the config file: the variable, when
 * it is set and not empty, wins over the file's key, one setting at a time; a setting the variable does not give comes
 * from the file, and then from its default. So {@code REDIS_FAILURE_MODE=closed} holds with a {@code redis_url} from
 * the file, and a file's {@code redis_url} holds with only {@code REDIS_TIMEOUT_MS} in the environment.
 *
 * <p>Not such settings: {@code model_list} replaces BACKEND_KIND, BACKEND_BASE_URL, BACKEND_API_KEY, MODEL_NAME and
 * MODEL_ALIASES as a whole (they describe a deployment, and a warning says they are ignored). {@code master_key} and
 * SLUICE_MASTER_KEY are such a setting (the variable wins), but API_KEYS is not: the master key is accepted next to
 * {@code API_KEYS}, not instead of them.
 */
public final class Precedence {
    /** A variable and the file key that means the same. */
    public record Both(String variable, String fileKey) {}

    /** Every setting that exists both ways (docs/CONFIG-FILE.md lists the same). */
    public static final List<Both> SETTINGS = List.of(
            new Both("NUM_RETRIES", "general_settings.num_retries"),
            new Both("REDIS_URL", "general_settings.redis_url"),
            new Both("REDIS_TIMEOUT_MS", "general_settings.redis_timeout_ms"),
            new Both("REDIS_FAILURE_MODE", "general_settings.redis_failure_mode"),
            new Both("REDIS_REPLICAS_HINT", "general_settings.redis_replicas_hint"),
            new Both("SLUICE_MASTER_KEY", "general_settings.master_key"));

    private Precedence() {}

    /**
     * The file's configuration with each setting that a variable also gives taken from the variable. The variables
     * were validated with the rest of the environment ({@link ConfigLoader}); a bad one throws here too.
     */
    public static FileConfig apply(FileConfig file, Function<String, String> env) {
        GeneralSettings g = file.general();
        String retries = env.apply("NUM_RETRIES");
        if (retries != null && !retries.isBlank()) {
            int n = ConfigLoader.load(name -> name.equals("NUM_RETRIES") ? retries : null).numRetries();
            g = new GeneralSettings(g.masterKey(), n, g.fallbacks(), g.routingStrategy(), g.retryBackoffBase(),
                    g.retryBackoffMax(), g.retryAfterCap(), g.retryBudgetRatio(), g.allowedFails(), g.cooldown(),
                    g.balancing());
        }
        String master = env.apply("SLUICE_MASTER_KEY");
        if (master != null && !master.isBlank()) {
            g = g.withMasterKey(master.trim());
        }
        return new FileConfig(file.deployments(), g, file.caches(), file.keys(), EnvSettings.redis(env, file.redis()),
                file.spending());
    }

    /**
     * A warning for each variable that is set and overrides a key the file gives (not one that names the variable
     * itself), for {@code validate} and startup.
     * {@code num_retries} counts under router_settings and litellm_settings too, where LiteLLM puts it.
     */
    public static List<String> overrides(Function<String, String> env, java.util.Map<String, Object> root) {
        List<String> out = new java.util.ArrayList<>();
        for (Both b : SETTINGS) {
            String v = env.apply(b.variable());
            if (v == null || v.isBlank()) {
                continue;
            }
            String key = b.fileKey().substring(b.fileKey().indexOf('.') + 1);
            for (String section : List.of("general_settings", "router_settings", "litellm_settings")) {
                if (root.get(section) instanceof java.util.Map<?, ?> m && m.containsKey(key)
                        && !refersTo(m.get(key), b.variable())) {
                    out.add(section + "." + key + ": overridden by the environment variable " + b.variable()
                            + " (a variable that is set wins over the file)");
                    break;
                }
            }
        }
        return out;
    }

    /** {@code master_key: os.environ/SLUICE_MASTER_KEY} is the variable itself, not a value it overrides. */
    private static boolean refersTo(Object fileValue, String variable) {
        String v = fileValue == null ? "" : fileValue.toString().trim();
        return v.equals("os.environ/" + variable) || v.equals("${" + variable + "}");
    }
}
