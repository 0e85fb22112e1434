package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.GatewayConfig;
import dev.sluice.config.env.ConfigLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApplicationLogFormatTest {
    @Test
    void withoutLogJsonATerminalGetsTextAndAnythingElseJson() {
        GatewayConfig defaults = ConfigLoader.load(Map.<String, String>of()::get);

        assertThat(Application.logJson(null, defaults, true)).isFalse();
        assertThat(Application.logJson(null, defaults, false)).isTrue();
        assertThat(Application.logJson(" ", defaults, true)).isFalse();
    }

    @Test
    void anExplicitLogJsonAlwaysWins() {
        GatewayConfig json = ConfigLoader.load(Map.of("LOG_JSON", "yes")::get);
        GatewayConfig text = ConfigLoader.load(Map.of("LOG_JSON", "false")::get);

        assertThat(Application.logJson("yes", json, true)).isTrue();
        assertThat(Application.logJson("false", text, false)).isFalse();
    }
}
