package dev.sluice.config;

import dev.sluice.config.env.ConfigLoader;
import dev.sluice.config.file.FileConfigLoader;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13 item 3: one precedence rule for every setting that exists both as an environment variable and in the
 * config file, tested for each: the variable, when set, wins over the file's key; otherwise the file; otherwise the
 * default. Before, REDIS_FAILURE_MODE=closed was ignored whenever the Redis URL came from the file, and the file's
 * redis_* keys were all ignored whenever REDIS_URL was set; NUM_RETRIES was ignored with any file.
 */
class PrecedenceTest {
    static final String MODELS = "model_list:\n  - {model_name: m, params: {model: sim/m}}\n";

    /** Each setting: its variable, its file key and value, a different value for the variable, and how to read it. */
    record Case(String variable, String fileLine, String envValue, Function<FileConfig, Object> read, Object fileValue,
            Object envResult, Object defaultValue) {
        @Override
        public String toString() {
            return variable;
        }
    }

    static Stream<Arguments> settings() {
        return Stream.of(
                new Case("NUM_RETRIES", "num_retries: 5", "1", c -> c.general().numRetries(), 5, 1,
                        GeneralSettings.DEFAULT_NUM_RETRIES),
                new Case("REDIS_URL", "redis_url: redis://file-host:6379/0", "redis://env-host:6379/1",
                        c -> c.redis().url(), "redis://file-host:6379/0", "redis://env-host:6379/1", null),
                new Case("REDIS_TIMEOUT_MS", "redis_timeout_ms: 300", "75", c -> c.redis().timeout(),
                        Duration.ofMillis(300), Duration.ofMillis(75), RedisSettings.DEFAULT_TIMEOUT),
                new Case("REDIS_FAILURE_MODE", "redis_failure_mode: open", "closed", c -> c.redis().failClosed(), false,
                        true, false),
                new Case("REDIS_REPLICAS_HINT", "redis_replicas_hint: 4", "2", c -> c.redis().replicasHint(), 4, 2, 1),
                new Case("SLUICE_MASTER_KEY", "master_key: file-master-key", "env-master-key",
                        c -> c.general().masterKey(), "file-master-key", "env-master-key", null))
                .map(Arguments::of);
    }

    static FileConfig effective(String general, Map<String, String> env) {
        FileConfig file = FileConfigLoader.load(MODELS + (general.isEmpty() ? "" : "general_settings:\n  " + general
                + "\n"), env::get);
        return Precedence.apply(file, env::get);
    }

    @Test
    void everySettingThatExistsBothWaysIsCovered() {
        assertThat(settings().map(a -> ((Case) a.get()[0]).variable()))
                .containsExactlyElementsOf(Precedence.SETTINGS.stream().map(Precedence.Both::variable).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void theVariableWinsOverTheFileWhichWinsOverTheDefault(Case c) {
        assertThat(c.read().apply(effective("", Map.of()))).as("neither").isEqualTo(c.defaultValue());
        assertThat(c.read().apply(effective(c.fileLine(), Map.of()))).as("file only").isEqualTo(c.fileValue());
        assertThat(c.read().apply(effective("", Map.of(c.variable(), c.envValue())))).as("variable only")
                .isEqualTo(c.envResult());
        assertThat(c.read().apply(effective(c.fileLine(), Map.of(c.variable(), c.envValue())))).as("both")
                .isEqualTo(c.envResult());
        assertThat(c.read().apply(effective(c.fileLine(), Map.of(c.variable(), "  ")))).as("variable set but blank")
                .isEqualTo(c.fileValue());
    }

    @Test
    void theFailureModeFromTheEnvironmentHoldsWithTheRedisUrlFromTheFile() {
        FileConfig c = effective("redis_url: redis://127.0.0.1:6390/0", Map.of("REDIS_FAILURE_MODE", "closed"));
        assertThat(c.redis().url()).isEqualTo("redis://127.0.0.1:6390/0");
        assertThat(c.redis().failClosed()).isTrue();
    }

    @Test
    void theFilesRedisSettingsHoldWithTheRedisUrlFromTheEnvironment() {
        Map<String, String> env = Map.of("REDIS_URL", "redis://127.0.0.1:6390/0");
        FileConfig c = effective("redis_failure_mode: closed\n  redis_timeout_ms: 200", env);
        assertThat(c.redis().url()).isEqualTo("redis://127.0.0.1:6390/0");
        assertThat(c.redis().failClosed()).isTrue();
        assertThat(c.redis().timeout()).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void aGatewayWithTheRedisUrlInTheFileRefusesWhenRedisIsDownAndTheEnvironmentSaysClosed() throws Exception {
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            deadPort = s.getLocalPort(); // closed again: nothing listens there
        }
        java.nio.file.Path file = java.nio.file.Files.createTempFile("sluice-precedence", ".yaml");
        java.nio.file.Files.writeString(file, MODELS + "keys:\n  - {name: team-a, key: a-secret, rpm: 100}\n"
                + "general_settings:\n  redis_url: redis://127.0.0.1:" + deadPort + "/0\n  redis_timeout_ms: 50\n");
        try (dev.sluice.testing.Gateway g = dev.sluice.testing.Gateway.builder().env("REDIS_FAILURE_MODE", "closed")
                .env("sluice.config.file", file.toString()).start()) {
            assertThat(g.bean(RedisSettings.class).failClosed()).isTrue();
            var r = g.post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"hi\"}]}", "Authorization", "Bearer a-secret");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.body()).contains("REDIS_FAILURE_MODE=closed");
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void validateSaysWhichVariableOverridesWhichKey() {
        Map<String, String> env = new HashMap<>(Map.of("REDIS_FAILURE_MODE", "closed", "NUM_RETRIES", "1"));
        FileConfigLoader.Result r = FileConfigLoader.check(MODELS + """
                general_settings:
                  redis_url: redis://127.0.0.1:6390/0
                  redis_failure_mode: open
                router_settings:
                  num_retries: 4
                """, env::get);
        assertThat(r.warnings()).containsExactlyInAnyOrder(
                "router_settings.num_retries: overridden by the environment variable NUM_RETRIES (a variable that is"
                        + " set wins over the file)",
                "general_settings.redis_failure_mode: overridden by the environment variable REDIS_FAILURE_MODE (a"
                        + " variable that is set wins over the file)");
    }

    @Test
    void aFileWhoseMasterKeyNamesTheVariableIsNotWarnedAboutIt() {
        Map<String, String> env = Map.of("SLUICE_MASTER_KEY", "env-master-key-0123456789abcdef0123");
        for (String reference : List.of("os.environ/SLUICE_MASTER_KEY", "${SLUICE_MASTER_KEY}")) {
            FileConfigLoader.Result r = FileConfigLoader.check(MODELS + "general_settings:\n  master_key: \""
                    + reference + "\"\n", env::get);
            assertThat(r.warnings()).as(reference).isEmpty();
        }
        FileConfigLoader.Result other = FileConfigLoader.check(MODELS + "general_settings:\n  master_key: "
                + "file-master-key-0123456789abcdef0123\n", env::get);
        assertThat(other.warnings()).containsExactly("general_settings.master_key: overridden by the environment"
                + " variable SLUICE_MASTER_KEY (a variable that is set wins over the file)");
    }

    @Test
    void withoutAConfigFileTheMasterKeyComesFromTheVariable() {
        GatewayConfig env = ConfigLoader.load(Map.of("SLUICE_MASTER_KEY", " env-master-key ")::get);
        assertThat(FileConfig.fromEnv(env).general().masterKey()).isEqualTo("env-master-key");
        assertThat(FileConfig.fromEnv(ConfigLoader.load(name -> null)).general().hasMasterKey()).isFalse();
        assertThat(env.toString()).doesNotContain("env-master-key");
        assertThat(StartupCheck.authNotice(env, FileConfig.fromEnv(env)).message())
                .isEqualTo("authentication is on: client keys SLUICE_MASTER_KEY");
    }

    @Test
    void theStartupLineTellsTheTruthAboutAuthentication() {
        GatewayConfig none = ConfigLoader.load(name -> null);
        GatewayConfig apiKeys = ConfigLoader.load(Map.of("API_KEYS", "k1,k2")::get);
        FileConfig named = FileConfigLoader.load(MODELS + "keys:\n  - {name: team-a, key: a-secret}\n", name -> null);
        FileConfig master = FileConfigLoader.load(MODELS + "general_settings: {master_key: m-secret}\n", name -> null);
        FileConfig plain = FileConfigLoader.load(MODELS, name -> null);

        StartupCheck.AuthNotice off = StartupCheck.authNotice(none, plain);
        assertThat(off.off()).isTrue();
        assertThat(off.message()).contains("authentication is OFF");
        for (var on : List.of(StartupCheck.authNotice(none, named), StartupCheck.authNotice(none, master),
                StartupCheck.authNotice(apiKeys, null))) {
            assertThat(on.off()).isFalse();
            assertThat(on.message()).startsWith("authentication is on").doesNotContain("OFF");
        }
        assertThat(StartupCheck.authNotice(none, named).message()).contains("1 named (team-a)")
                .doesNotContain("a-secret");
        assertThat(StartupCheck.authNotice(apiKeys, master).message()).contains("2 from API_KEYS", "master_key")
                .doesNotContain("k1").doesNotContain("m-secret");
    }
}
