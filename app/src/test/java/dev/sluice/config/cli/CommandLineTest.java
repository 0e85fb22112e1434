package dev.sluice.config.cli;

import dev.sluice.config.ConfigException;
import dev.sluice.config.FileConfig;
import dev.sluice.config.StartupCheck;
import dev.sluice.config.env.ConfigLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {
    static final Function<String, String> NO_ENV = name -> null;
    static final String GOOD = """
            model_list:
              - {model_name: llama, params: {model: vllm/meta-llama/Llama-3.1-8B-Instruct, weight: 3}}
              - {model_name: llama, params: {model: ollama/llama3.1:8b}}
              - {model_name: llama-small, params: {model: ollama/llama3.2:3b}}
            general_settings:
              fallbacks: [{llama: [llama-small]}]
            """;
    static final String BAD = """
            model_list:
              - {model_name: llama, params: {model: vllm/m, api_base: "ftp://x"}}
              - {model_name: gpt, params: {model: openai/gpt-4o}}
            general_settings:
              fallbacks: [{llama: [llama-small]}]
              bogus: 1
            """;

    @TempDir
    Path dir;

    static CommandLine parse(String... args) {
        return CommandLine.parse(args, NO_ENV);
    }

    /** Runs {@code sluice validate} and captures both streams. */
    record Run(int status, String out, String err) {}

    static Run validate(Function<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = StartupCheck.validate(CommandLine.parse(args, env), env,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void noArgumentsServeFromTheEnvironmentAsBefore() {
        CommandLine c = parse();

        assertThat(c).isEqualTo(new CommandLine(CommandLine.Command.SERVE, null, null, null, false, List.of()));
        assertThat(c.micronautArgs()).isEmpty();
        Function<String, String> env = c.environment(Map.of("API_HOST", "0.0.0.0", "API_PORT", "9000")::get);
        assertThat(env.apply("API_HOST")).isEqualTo("0.0.0.0");
        assertThat(env.apply("API_PORT")).isEqualTo("9000");
        assertThat(env.apply("LOG_LEVEL")).isNull();
    }

    @Test
    void flagsOverrideTheEnvironmentAndReachMicronaut() {
        CommandLine c = parse("-c", "sluice.yaml", "--host", "0.0.0.0", "-p", "9000", "-v");

        assertThat(c.command()).isEqualTo(CommandLine.Command.SERVE);
        assertThat(c.configFile()).isEqualTo(Path.of("sluice.yaml"));
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.verbose()).isTrue();
        assertThat(c.micronautArgs()).containsExactly("-micronaut.server.host=0.0.0.0", "-api.host=0.0.0.0",
                "-micronaut.server.port=9000", "-api.port=9000", "-log.level=DEBUG");
        Function<String, String> env = c.environment(Map.of("API_HOST", "127.0.0.1", "API_PORT", "8000",
                "LOG_LEVEL", "WARN", "API_KEYS", "k")::get);
        assertThat(env.apply("API_HOST")).isEqualTo("0.0.0.0");
        assertThat(env.apply("API_PORT")).isEqualTo("9000");
        assertThat(env.apply("LOG_LEVEL")).isEqualTo("DEBUG");
        assertThat(env.apply("API_KEYS")).isEqualTo("k");
        assertThat(ConfigLoader.load(env).apiPort()).isEqualTo(9000);
    }

    @Test
    void longFormsTakeEqualsAndPropertiesPassThrough() {
        CommandLine c = parse("--config=a.yaml", "--host=::1", "--port=0", "--verbose",
                "-micronaut.server.idle-timeout=5m", "--micronaut.netty.event-loops.default.num-threads=2");

        assertThat(c.configFile()).isEqualTo(Path.of("a.yaml"));
        assertThat(c.host()).isEqualTo("::1");
        assertThat(c.port()).isZero();
        assertThat(c.passThrough()).containsExactly("-micronaut.server.idle-timeout=5m",
                "--micronaut.netty.event-loops.default.num-threads=2");
        assertThat(c.micronautArgs()).startsWith("-micronaut.server.idle-timeout=5m",
                "--micronaut.netty.event-loops.default.num-threads=2");
    }

    @Test
    void theConfigFileComesFromSluiceConfigUnlessTheFlagIsGiven() {
        Map<String, String> env = Map.of("SLUICE_CONFIG", " /etc/sluice.yaml ");

        assertThat(CommandLine.parse(new String[0], env::get).configFile()).isEqualTo(Path.of("/etc/sluice.yaml"));
        assertThat(CommandLine.parse(new String[] {"-c", "mine.yaml"}, env::get).configFile())
                .isEqualTo(Path.of("mine.yaml"));
        assertThat(CommandLine.parse(new String[0], Map.of("SLUICE_CONFIG", "")::get).configFile()).isNull();
    }

    @Test
    void helpAndVersion() {
        assertThat(parse("--help").command()).isEqualTo(CommandLine.Command.HELP);
        assertThat(parse("-h").command()).isEqualTo(CommandLine.Command.HELP);
        assertThat(parse("help").command()).isEqualTo(CommandLine.Command.HELP);
        assertThat(parse("validate", "--help").command()).isEqualTo(CommandLine.Command.HELP);
        assertThat(parse("--version").command()).isEqualTo(CommandLine.Command.VERSION);
        assertThat(CommandLine.usage()).contains("validate [-c FILE]", "-c, --config FILE", "--host HOST",
                "-p, --port PORT", "-v, --verbose", "-h, --help", "--version", "SLUICE_CONFIG", "API_HOST",
                "API_PORT", "docs/CONFIG-FILE.md");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThatThrownBy(() -> parse("--bogus")).isInstanceOf(CommandLine.UsageException.class)
                .hasMessage("unknown option '--bogus' (run with --help to see the options)");
        assertThatThrownBy(() -> parse("-c")).hasMessage("-c needs a value (expected a config file, e.g. -c sluice.yaml)");
        assertThatThrownBy(() -> parse("--config", "-v")).hasMessageStartingWith("--config needs a value");
        assertThatThrownBy(() -> parse("-p", "http")).hasMessage(
                "-p http is not a port (expected: an integer from 0 to 65535)");
        assertThatThrownBy(() -> parse("--port=70000")).hasMessage(
                "--port 70000 is not a port (expected: an integer from 0 to 65535)");
        assertThatThrownBy(() -> parse("--host", " ")).hasMessageStartingWith("--host needs an address");
        assertThatThrownBy(() -> parse("--verbose=yes")).hasMessage("--verbose takes no value");
        assertThatThrownBy(() -> parse("serve")).hasMessage(
                "unexpected argument 'serve' (run with --help to see the options)");
        assertThatThrownBy(() -> parse("-c", "a.yaml", "validate")).hasMessage(
                "unexpected argument 'validate' (validate must come first: sluice validate -c FILE)");
    }

    @Test
    void validatePrintsASummaryAndExitsZeroWhenTheFileIsValid() throws Exception {
        Path good = file("good.yaml", GOOD);

        Run run = validate(NO_ENV, "validate", "-c", good.toString());

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("ok: 3 deployments in 2 pools, fallbacks: llama -> llama-small\n");
        assertThat(run.err()).isEmpty();
        assertThat(parse("validate", "-c", good.toString()).command()).isEqualTo(CommandLine.Command.VALIDATE);
    }

    @Test
    void validatePrintsEveryProblemWithItsKeyPathAndExitsOne() throws Exception {
        Path bad = file("bad.yaml", BAD);

        Run run = validate(Map.of("API_PORT", "http")::get, "validate", "--config", bad.toString());

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("""
                sluice: warning: general_settings.bogus: not used by Sluice, ignored (general_settings keys Sluice \
                reads: master_key, num_retries, fallbacks, routing_strategy, retry_backoff_base, retry_backoff_max, \
                retry_after_cap, retry_budget_ratio, allowed_fails, cooldown, cooldown_time, \
                routing_strategy_per_alias, affinity_spill, load_poll_interval, health_check_interval, \
                health_check_timeout, health_check_unhealthy_threshold, health_check_healthy_threshold, queue_size, \
                queue_timeout, redis_url, redis_timeout_ms, redis_failure_mode, redis_replicas_hint) [line 6]
                sluice: invalid configuration:
                  - API_PORT=http is not a whole number (expected: an integer from 0 to 65535)
                  - model_list[0].params.api_base: 'ftp://x' is not an http(s) URL (expected an absolute http:// or \
                https:// URL with a host, e.g. http://127.0.0.1:8000/v1) [line 2]
                  - model_list[1].params.api_key: missing (openai needs an API key: give it as \
                os.environ/OPENAI_API_KEY, as ${OPENAI_API_KEY} or inline) [line 3]
                  - general_settings.fallbacks[0].llama: 'llama-small' is not a model_name in model_list (known: \
                llama, gpt) [line 5]
                """);
    }

    @Test
    void theServerRefusesToStartOnTheSameProblems() throws Exception {
        Path bad = file("bad.yaml", BAD);
        CommandLine serve = parse("-c", bad.toString());

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> StartupCheck.run(serve, NO_ENV));
        Run run = validate(NO_ENV, "validate", "-c", bad.toString());

        assertThat(e.problems()).hasSize(3);
        assertThat(run.err()).contains("sluice: " + e.getMessage() + "\n");
    }

    @Test
    void validateWithoutAFileChecksTheEnvironmentOnly() {
        Run ok = validate(Map.of("BACKEND_KIND", "vllm", "MODEL_NAME", "qwen")::get, "validate");
        Run bad = validate(Map.of("BACKEND_KIND", "vlm")::get, "validate");

        assertThat(ok.status()).isZero();
        assertThat(ok.out()).isEqualTo("ok: 1 deployment in 1 pool, fallbacks: none\n");
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.err()).startsWith("sluice: invalid configuration:\n  - BACKEND_KIND=vlm is not a known backend");
    }

    @Test
    void aMissingFileIsAProblemNotACrash() {
        Run run = validate(NO_ENV, "validate", "-c", dir.resolve("nope.yaml").toString());

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains(dir.resolve("nope.yaml").toAbsolutePath() + ": no such file");
    }

    @Test
    void startupCheckLoadsBothAndWarnsAboutVariablesTheFileReplaces() throws Exception {
        Path good = file("good.yaml", GOOD);
        String key = "k1-0123456789abcdef0123456789abcdef"; // long enough not to draw the short-key warning
        Map<String, String> env = new HashMap<>(Map.of("BACKEND_KIND", "ollama", "API_KEYS", key));

        StartupCheck.Checked checked = StartupCheck.run(parse("-c", good.toString(), "-p", "9100"), env::get);

        assertThat(checked.configFile()).isEqualTo(good.toAbsolutePath());
        assertThat(checked.gateway().apiPort()).isEqualTo(9100);
        assertThat(checked.gateway().apiKeys()).containsExactly(key);
        assertThat(checked.file().aliases()).containsExactly("llama", "llama-small");
        assertThat(checked.warnings()).containsExactly(
                "BACKEND_KIND is set but ignored: the config file's model_list defines the deployments");

        StartupCheck.Checked envOnly = StartupCheck.run(parse(), env::get);
        assertThat(envOnly.configFile()).isNull();
        assertThat(envOnly.file().aliases()).containsExactly(FileConfig.ANY_MODEL);
        assertThat(envOnly.warnings()).isEmpty();
    }

    @Test
    void keysHandsItsArgumentsOnUnread() {
        CommandLine c = parse("keys", "create", "team-a", "--rpm", "5", "-c", "x");
        assertThat(c.command()).isEqualTo(CommandLine.Command.KEYS);
        assertThat(c.passThrough()).containsExactly("create", "team-a", "--rpm", "5", "-c", "x");
    }
}
