package dev.sluice.config;

import dev.sluice.config.env.ConfigLoader;
import dev.sluice.config.env.EnvSettings;
import dev.sluice.config.file.FileConfigLoader;

import dev.sluice.config.cli.CommandLine;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The one validation both {@code sluice validate} and the server run before anything starts: the environment
 * variables, then the config file when one is given. The server refuses to start on exactly the problems
 * {@code validate} prints.
 */
public final class StartupCheck {
    /** Variables a config file replaces: its model_list defines the deployments. */
    static final List<String> REPLACED_BY_FILE =
            List.of("BACKEND_KIND", "BACKEND_BASE_URL", "BACKEND_API_KEY", "MODEL_NAME", "MODEL_ALIASES");

    /**
     * A configuration that passed.
     *
     * @param configFile the absolute path of the config file, or null for environment-only config
     * @param warnings things that were ignored, each with its key path or variable
     */
    public record Checked(GatewayConfig gateway, FileConfig file, Path configFile, List<String> warnings) {
        public Checked {
            warnings = List.copyOf(warnings);
        }
    }

    private StartupCheck() {}

    /**
     * Loads everything, or throws a {@link ConfigException} listing every problem of the environment and the file.
     *
     * @param env the process environment; the command line's overrides are applied on top
     */
    public static Checked run(CommandLine commandLine, Function<String, String> env) {
        Outcome outcome = check(commandLine, env);
        if (!outcome.problems.isEmpty()) {
            throw new ConfigException(outcome.problems);
        }
        return outcome.checked;
    }

    /**
     * {@code sluice validate}: warnings and problems go to {@code err} in the server's words, and when there are
     * no problems a one-line summary ({@code ok: 3 deployments in 2 pools, fallbacks: ...}) goes to {@code out}.
     *
     * @return the exit status: 0 when the configuration is valid, 1 when it is not
     */
    public static int validate(CommandLine commandLine, Function<String, String> env, PrintStream out,
            PrintStream err) {
        Outcome outcome = check(commandLine, env);
        printWarnings(outcome.warnings, err);
        if (!outcome.problems.isEmpty()) {
            err.println("sluice: " + new ConfigException(outcome.problems).getMessage());
            return 1;
        }
        out.println("ok: " + outcome.checked.file().summary());
        return 0;
    }

    private record Outcome(Checked checked, List<String> problems, List<String> warnings) {}

    private static Outcome check(CommandLine commandLine, Function<String, String> env) {
        Function<String, String> effective = commandLine.environment(env);
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        GatewayConfig gateway = null;
        try {
            gateway = ConfigLoader.load(effective);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        try {
            EnvSettings.redis(effective);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        try {
            EnvSettings.requestCaps(effective);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        try {
            EnvSettings.connectionLimits(effective);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        try {
            EnvSettings.allowedHosts(effective);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        try {
            EnvSettings.authSettings(effective);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        try {
            EnvSettings.configWatch(effective);
            EnvSettings.drain(effective);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        if (gateway != null) {
            warnings.addAll(shortKeys(gateway.apiKeys()));
            if (gateway.masterKey() != null && gateway.masterKey().length() < AuthSettings.SHORT_KEY) {
                warnings.add("SLUICE_MASTER_KEY is " + gateway.masterKey().length() + " characters long; a key shorter"
                        + " than " + AuthSettings.SHORT_KEY + " characters can be guessed (generate one with: openssl"
                        + " rand -hex 32)");
            }
        }
        Path file = commandLine.configFile() == null ? null : commandLine.configFile().toAbsolutePath();
        FileConfig fileConfig = null;
        if (file != null) {
            FileConfigLoader.Result result = FileConfigLoader.check(file, effective);
            problems.addAll(result.errors());
            warnings.addAll(result.warnings());
            fileConfig = result.ok() && problems.isEmpty() ? Precedence.apply(result.config(), effective)
                    : result.config();
            for (String name : REPLACED_BY_FILE) {
                String v = effective.apply(name);
                if (v != null && !v.isBlank()) {
                    warnings.add(name + " is set but ignored: the config file's model_list defines the deployments");
                }
            }
        } else if (gateway != null) {
            fileConfig = FileConfig.fromEnv(gateway);
        }
        Checked checked = problems.isEmpty() ? new Checked(gateway, fileConfig, file, warnings) : null;
        return new Outcome(checked, problems, warnings);
    }

    /** A warning for each API_KEYS entry short enough to guess; never quotes the key. */
    static List<String> shortKeys(List<String> apiKeys) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < apiKeys.size(); i++) {
            int n = apiKeys.get(i).length();
            if (n < AuthSettings.SHORT_KEY) {
                out.add("API_KEYS entry " + (i + 1) + " of " + apiKeys.size() + " is " + n + " characters long; a key"
                        + " shorter than " + AuthSettings.SHORT_KEY + " characters can be guessed (generate one with:"
                        + " openssl rand -hex 32)");
            }
        }
        return out;
    }

    /** What the startup log says about client authentication: a warning when it is off, a plain line when it is on. */
    public record AuthNotice(boolean off, String message) {}

    /**
     * The truth about authentication: which keys are configured (API_KEYS, the master key, the file's named keys), or that
     * there are none, in which case anyone who can reach the port can use the backends.
     */
    public static AuthNotice authNotice(GatewayConfig gateway, FileConfig file) {
        List<String> sources = new ArrayList<>();
        if (!gateway.apiKeys().isEmpty()) {
            sources.add(gateway.apiKeys().size() + " from API_KEYS");
        }
        if (file != null && file.general().hasMasterKey()) {
            sources.add(gateway.masterKey() != null ? "SLUICE_MASTER_KEY" : "master_key");
        }
        if (file != null && !file.keys().isEmpty()) {
            List<String> names = file.keys().stream().map(NamedKey::name).toList();
            sources.add(names.size() + " named (" + String.join(", ", names.subList(0, Math.min(5, names.size())))
                    + (names.size() > 5 ? ", ..." : "") + ")");
        }
        if (sources.isEmpty()) {
            return new AuthNotice(true, "no client keys are configured (API_KEYS, SLUICE_MASTER_KEY, or master_key or"
                    + " keys: in the config file): authentication is OFF and anyone who can reach " + gateway.apiHost() + ":"
                    + gateway.apiPort() + " can use the backend. Set API_KEYS=<key>[,<key>...] before exposing it.");
        }
        return new AuthNotice(false, "authentication is on: client keys " + String.join(", ", sources));
    }

    public static void printWarnings(List<String> warnings, PrintStream err) {
        for (String w : warnings) {
            err.println("sluice: warning: " + w);
        }
    }
}
