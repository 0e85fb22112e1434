package dev.sluice;

import dev.sluice.config.FileConfig;
import dev.sluice.config.file.FileConfigLoader;
import dev.sluice.config.GatewayConfig;
import dev.sluice.config.Precedence;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Provides the {@link FileConfig} the router works from: the config file when one was given, else the one implicit
 * deployment of the environment variables.
 */
@Factory
public class FileConfigBeans {
    /** System property {@code Application.main} sets to the absolute path of the validated config file. */
    public static final String FILE_PROPERTY = "sluice.config.file";
    /** How Micronaut exposes SLUICE_CONFIG, for contexts not started through {@code Application.main}. */
    public static final String ENV_PROPERTY = "sluice.config";

    @Singleton
    FileConfig fileConfig(Environment env, GatewayConfig config) {
        return load(name -> env.getProperty(name, String.class).orElse(null), variables(env), config);
    }

    /** What the file's {@code os.environ/VAR} and {@code ${VAR}} references resolve against. */
    static Function<String, String> variables(Environment env) {
        return name -> Optional.ofNullable(System.getenv(name))
                .or(() -> env.getProperty(name.toLowerCase(Locale.ROOT).replace('_', '.'), String.class))
                .orElse(null);
    }

    /** The config file in force, or null when the environment alone configures the gateway. */
    static Path file(Environment env) {
        Function<String, String> properties = name -> env.getProperty(name, String.class).orElse(null);
        return Optional.ofNullable(properties.apply(FILE_PROPERTY))
                .or(() -> Optional.ofNullable(properties.apply(ENV_PROPERTY)))
                .filter(s -> !s.isBlank())
                .map(s -> Path.of(s.trim()))
                .orElse(null);
    }

    /**
     * The file named by {@link #FILE_PROPERTY} (or {@link #ENV_PROPERTY}), or {@link FileConfig#fromEnv} when neither
     * is set.
     *
     * @param properties looks up a property
     * @param variables resolves the file's {@code os.environ/VAR} and {@code ${VAR}} references
     * @throws dev.sluice.config.ConfigException when the file has problems (Application.main has already checked it)
     */
    static FileConfig load(Function<String, String> properties, Function<String, String> variables,
            GatewayConfig config) {
        String file = Optional.ofNullable(properties.apply(FILE_PROPERTY))
                .or(() -> Optional.ofNullable(properties.apply(ENV_PROPERTY)))
                .filter(s -> !s.isBlank())
                .orElse(null);
        return file == null ? FileConfig.fromEnv(config)
                : Precedence.apply(FileConfigLoader.load(Path.of(file.trim()), variables), variables);
    }
}
