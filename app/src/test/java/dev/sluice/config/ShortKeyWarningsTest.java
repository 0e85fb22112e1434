package dev.sluice.config;

import dev.sluice.config.env.ConfigLoader;
import dev.sluice.config.env.EnvSettings;
import dev.sluice.config.file.FileConfigLoader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 13 item 8: a key short enough to guess gets a startup warning that names where it is, never the key. */
class ShortKeyWarningsTest {
    static final String LONG = "0123456789abcdef0123456789abcdef";

    @Test
    void shortApiKeysAreNamedByPositionAndLength() {
        assertThat(StartupCheck.shortKeys(List.of(LONG, "sk-local", LONG + "x"))).containsExactly(
                "API_KEYS entry 2 of 3 is 8 characters long; a key shorter than 32 characters can be guessed"
                        + " (generate one with: openssl rand -hex 32)");
    }

    @Test
    void shortNamedKeysAndMasterKeysAreWarnedAboutByPath() {
        FileConfigLoader.Result r = FileConfigLoader.check("""
                model_list:
                  - {model_name: m, params: {model: sim/m}}
                general_settings:
                  master_key: os.environ/MASTER
                keys:
                  - {name: team-a, key: tiny-secret}
                  - {name: team-b, key: %s}
                """.formatted(LONG), Map.of("MASTER", "sk-1234")::get);
        assertThat(r.errors()).isEmpty();
        assertThat(r.warnings()).hasSize(2).noneMatch(w -> w.contains("tiny-secret") || w.contains("sk-1234"));
        assertThat(r.warnings().get(0)).startsWith("general_settings.master_key: is 7 characters long");
        assertThat(r.warnings().get(1)).startsWith("keys[0].key: is 11 characters long");
    }

    @Test
    void aShortMasterKeyFromTheEnvironmentIsWarnedAboutByItsVariable() {
        Map<String, String> env = Map.of("SLUICE_MASTER_KEY", "sk-1234", "BACKEND_KIND", "sim");
        StartupCheck.Checked checked = StartupCheck.run(dev.sluice.config.cli.CommandLine.parse(new String[0],
                env::get), env::get);
        assertThat(checked.warnings()).containsExactly("SLUICE_MASTER_KEY is 7 characters long; a key shorter than 32"
                + " characters can be guessed (generate one with: openssl rand -hex 32)");
    }

    @Test
    void theFingerprintSecretMustBeLongEnoughAndIsNeverPrinted() {
        assertThat(EnvSettings.authSettings(name -> null)).isEqualTo(AuthSettings.defaults());
        AuthSettings s = EnvSettings.authSettings(Map.of("KEY_FINGERPRINT_SECRET", "0123456789abcdef",
                "AUTH_FAILURES_PER_MINUTE", "0")::get);
        assertThat(s.failuresPerMinute()).isZero();
        assertThat(s.toString()).doesNotContain("0123456789abcdef");
        try {
            EnvSettings.authSettings(Map.of("KEY_FINGERPRINT_SECRET", "short")::get);
            throw new AssertionError("expected a problem");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).contains("KEY_FINGERPRINT_SECRET is 5 characters long").doesNotContain("short,");
        }
    }
}
