package dev.sluice.config.cli;

import dev.sluice.Version;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The gateway's arguments: {@code [validate] [-c FILE] [--host H] [-p N] [-v] [--help] [--version]}. Flags override
 * the environment (API_HOST, API_PORT, LOG_LEVEL, SLUICE_CONFIG); anything of the form {@code -some.property=value}
 * goes to Micronaut unchanged.
 *
 * @param configFile the config file, from {@code --config} or SLUICE_CONFIG; null for environment-only config
 * @param host overrides API_HOST; null when not given
 * @param port overrides API_PORT; null when not given
 * @param verbose sets LOG_LEVEL=DEBUG
 * @param passThrough Micronaut property arguments, as given
 */
public record CommandLine(Command command, Path configFile, String host, Integer port, boolean verbose,
        List<String> passThrough) {

    /** Environment variable naming the config file when {@code --config} is not given. */
    public static final String CONFIG_ENV = "SLUICE_CONFIG";
    private static final Pattern PROPERTY_ARG = Pattern.compile("--?(?:D)?[A-Za-z][\\w-]*(?:\\.[\\w-]+)+=.*");

    /** What the process does. */
    public enum Command {
        /** Validate the configuration, then run the gateway. */
        SERVE,
        /** Validate the configuration, print every problem or a summary, and exit. */
        VALIDATE,
        HELP,
        VERSION,
        /** {@code sluice keys ...}: talk to a running gateway's key admin API; the rest goes in {@code passThrough}. */
        KEYS
    }

    /** The arguments are wrong; the message says which one and what was expected. */
    public static final class UsageException extends IllegalArgumentException {
        public UsageException(String message) {
            super(message);
        }
    }

    public CommandLine {
        passThrough = List.copyOf(passThrough);
    }

    public static CommandLine parse(String[] args, Function<String, String> env) {
        Command command = Command.SERVE;
        String config = null;
        String host = null;
        Integer port = null;
        boolean verbose = false;
        List<String> passThrough = new ArrayList<>();
        int i = 0;
        if (args.length > 0 && args[0].equals("keys")) {
            // its own options (dev.sluice.keys.KeysCommand): passed on as given
            return new CommandLine(Command.KEYS, null, null, null, false, List.of(args).subList(1, args.length));
        }
        if (args.length > 0 && (args[0].equals("validate") || args[0].equals("help"))) {
            command = args[0].equals("validate") ? Command.VALIDATE : Command.HELP;
            i = 1;
        }
        for (; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            switch (name) {
                case "-c", "--config" -> {
                    config = inline != null ? inline : value(args, i++, name, "a config file, e.g. -c sluice.yaml");
                    if (config.isBlank()) {
                        throw new UsageException(name + " needs a file name (e.g. -c sluice.yaml)");
                    }
                }
                case "--host" -> {
                    host = (inline != null ? inline : value(args, i++, name, "an address, e.g. --host 0.0.0.0")).trim();
                    if (host.isEmpty()) {
                        throw new UsageException("--host needs an address (e.g. --host 0.0.0.0)");
                    }
                }
                case "-p", "--port" -> port = port(inline != null ? inline : value(args, i++, name, "a port"), name);
                case "-v", "--verbose" -> verbose = flag(name, inline, true);
                case "-h", "--help" -> command = flag(name, inline, Command.HELP);
                case "--version" -> command = flag(name, inline, Command.VERSION);
                default -> {
                    if (PROPERTY_ARG.matcher(arg).matches()) {
                        passThrough.add(arg);
                    } else if (arg.startsWith("-")) {
                        throw new UsageException("unknown option '" + name + "' (run with --help to see the options)");
                    } else {
                        throw new UsageException("unexpected argument '" + arg + "'"
                                + (arg.equals("validate") ? " (validate must come first: sluice validate -c FILE)"
                                        : " (run with --help to see the options)"));
                    }
                }
            }
        }
        if (config == null) {
            String fromEnv = env.apply(CONFIG_ENV);
            config = fromEnv == null || fromEnv.isBlank() ? null : fromEnv.trim();
        }
        Path file;
        try {
            file = config == null ? null : Path.of(config);
        } catch (InvalidPathException e) {
            throw new UsageException("'" + config + "' is not a valid file name (" + e.getReason() + ")");
        }
        return new CommandLine(command, file, host, port, verbose, passThrough);
    }

    private static String value(String[] args, int i, String name, String expected) {
        if (i + 1 >= args.length || args[i + 1].startsWith("-") && args[i + 1].length() > 1) {
            throw new UsageException(name + " needs a value (expected " + expected + ")");
        }
        return args[i + 1];
    }

    private static <T> T flag(String name, String inline, T value) {
        if (inline != null) {
            throw new UsageException(name + " takes no value");
        }
        return value;
    }

    private static int port(String text, String name) {
        try {
            int p = Integer.parseInt(text.trim());
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(name + " " + text + " is not a port (expected: an integer from 0 to 65535)");
    }

    /** The environment as the gateway sees it: {@code --host}, {@code --port} and {@code -v} win over the variables. */
    public Function<String, String> environment(Function<String, String> env) {
        return name -> switch (name) {
            case "API_HOST" -> host != null ? host : env.apply(name);
            case "API_PORT" -> port != null ? port.toString() : env.apply(name);
            case "LOG_LEVEL" -> verbose ? "DEBUG" : env.apply(name);
            default -> env.apply(name);
        };
    }

    /**
     * The arguments for {@code Micronaut.build}: the pass-through properties, then the overrides as command-line
     * properties (the highest-priority property source), both as the server's own keys and as the keys the
     * gateway's config bean reads ({@code api.host} is how Micronaut exposes API_HOST).
     */
    public String[] micronautArgs() {
        List<String> out = new ArrayList<>(passThrough);
        if (host != null) {
            out.add("-micronaut.server.host=" + host);
            out.add("-api.host=" + host);
        }
        if (port != null) {
            out.add("-micronaut.server.port=" + port);
            out.add("-api.port=" + port);
        }
        if (verbose) {
            out.add("-log.level=DEBUG");
        }
        return out.toArray(String[]::new);
    }

    public static String usage() {
        return """
                Sluice %s: an OpenAI- and Anthropic-compatible gateway for self-hosted and hosted LLMs.

                Usage:
                  java -jar sluice.jar [options]                 run the gateway
                  java -jar sluice.jar validate [-c FILE]        check the configuration and exit
                                                                 (0: valid, 1: problems, 2: bad arguments)
                  java -jar sluice.jar keys COMMAND ...           manage client keys of a running gateway
                                                                 (sluice keys --help)

                Options:
                  -c, --config FILE   YAML config file: model_list, general_settings (docs/CONFIG-FILE.md);
                                      default: $SLUICE_CONFIG, else the BACKEND_* and MODEL_NAME variables
                      --host HOST     address to listen on (overrides API_HOST; default 127.0.0.1)
                  -p, --port PORT     port to listen on (overrides API_PORT; default 8000)
                  -v, --verbose       debug logging (LOG_LEVEL=DEBUG)
                  -h, --help          show this help
                      --version       show the version
                  -some.property=VALUE  passed to Micronaut as is

                Every other setting is an environment variable (README.md, "Configuration").
                """.formatted(Version.VERSION);
    }
}
