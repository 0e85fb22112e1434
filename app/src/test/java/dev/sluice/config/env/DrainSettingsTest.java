package dev.sluice.config.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.DrainSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DRAIN_TIMEOUT_S and DRAIN_DELAY_S: the defaults the Helm chart, compose and systemd samples assume, 0 delay, bad values. */
class DrainSettingsTest {
    @Test
    void defaults_agree_with_the_deploy_files() {
        DrainSettings d = EnvSettings.drain(Map.<String, String>of()::get);
        assertThat(d.timeout()).isEqualTo(Duration.ofSeconds(30)); // deploy/helm values.yaml drain.timeoutSeconds
        assertThat(d.delay()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void a_zero_delay_is_allowed_and_the_delay_never_exceeds_the_timeout() {
        assertThat(EnvSettings.drain(Map.of("DRAIN_DELAY_S", "0")::get).delay()).isZero();
        assertThat(EnvSettings.drain(Map.of("DRAIN_DELAY_S", "20", "DRAIN_TIMEOUT_S", "2")::get).delay())
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void bad_values_name_their_variable() {
        assertThatThrownBy(() -> EnvSettings.drain(Map.of("DRAIN_TIMEOUT_S", "0")::get))
                .isInstanceOf(ConfigException.class).hasMessageContaining("DRAIN_TIMEOUT_S");
        assertThatThrownBy(() -> EnvSettings.drain(Map.of("DRAIN_DELAY_S", "soon")::get))
                .isInstanceOf(ConfigException.class).hasMessageContaining("DRAIN_DELAY_S");
    }
}
