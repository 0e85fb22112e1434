package dev.sluice.config.file;

import static dev.sluice.config.file.FileConfigLoaderTest.errors;
import static dev.sluice.config.file.FileConfigLoaderTest.valid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Balancing;
import dev.sluice.config.RoutingStrategy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The load-balancing keys of general_settings (docs/ROUTING.md). */
class BalancingSettingsTest {
    private static final String MODELS = """
            model_list:
              - {model_name: qwen, params: {model: hosted_vllm/q, api_base: "http://a:8000/v1"}}
              - {model_name: llama, params: {model: hosted_vllm/l, api_base: "http://b:8000/v1"}}
            """;

    @Test
    void defaults_when_absent() {
        Balancing b = valid(MODELS).general().balancing();
        assertThat(b).isEqualTo(Balancing.defaults());
        assertThat(b.healthCheckInterval()).as("active checks are opt-in").isZero();
        assertThat(b.loadPollInterval()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void every_key_is_read_and_strategies_per_alias_override_the_global_one() {
        Balancing b = valid(MODELS + """
                general_settings:
                  routing_strategy: least_loaded
                  routing_strategy_per_alias: {qwen: prefix_affinity}
                  affinity_spill: 6
                  load_poll_interval: 250ms
                  health_check_interval: 5s
                  health_check_timeout: 1s
                  health_check_unhealthy_threshold: 2
                  health_check_healthy_threshold: 3
                """).general().balancing();
        assertThat(b).isEqualTo(new Balancing(Map.of("qwen", RoutingStrategy.PREFIX_AFFINITY), 6,
                Duration.ofMillis(250), Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 3));
        assertThat(b.strategyFor("qwen", RoutingStrategy.LEAST_LOADED)).isEqualTo(RoutingStrategy.PREFIX_AFFINITY);
        assertThat(b.strategyFor("llama", RoutingStrategy.LEAST_LOADED)).isEqualTo(RoutingStrategy.LEAST_LOADED);
    }

    @Test
    void router_settings_take_them_too() {
        assertThat(valid(MODELS + "router_settings: {routing_strategy: prefix_affinity, affinity_spill: 2}\n")
                .general().balancing().affinitySpill()).isEqualTo(2);
    }

    @Test
    void bad_values_are_reported_with_their_place() {
        assertThat(errors(MODELS + """
                general_settings:
                  routing_strategy_per_alias: {mistral: least_loaded, qwen: fastest}
                  load_poll_interval: 1ms
                  health_check_unhealthy_threshold: 0
                """)).anySatisfy(e -> assertThat(e).contains("mistral").contains("not a model_name"))
                .anySatisfy(e -> assertThat(e).contains("fastest").contains("least_loaded or prefix_affinity"))
                .anySatisfy(e -> assertThat(e).contains("load_poll_interval"))
                .anySatisfy(e -> assertThat(e).contains("health_check_unhealthy_threshold"));
    }
}
