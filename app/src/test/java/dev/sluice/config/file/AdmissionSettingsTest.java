package dev.sluice.config.file;

import static dev.sluice.config.file.FileConfigLoaderTest.errors;
import static dev.sluice.config.file.FileConfigLoaderTest.valid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Balancing;
import dev.sluice.config.FileConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The admission-control keys: max_concurrency per deployment, queue_size and queue_timeout, priority per key. */
class AdmissionSettingsTest {
    private static final String MODELS = """
            model_list:
              - {model_name: qwen, params: {model: hosted_vllm/q, api_base: "http://a:8000/v1", max_concurrency: 64}}
              - {model_name: qwen, params: {model: hosted_vllm/q, api_base: "http://b:8000/v1"}}
            """;

    @Test
    void defaults_when_absent_no_limit_a_queue_of_1000_and_10_s() {
        FileConfig c = valid(MODELS);
        assertThat(c.deployments()).extracting(d -> d.maxConcurrency()).containsExactly(64, 0);
        Balancing b = c.general().balancing();
        assertThat(b.queueSize()).isEqualTo(1000);
        assertThat(b.queueTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void queue_settings_and_key_priorities_are_read() {
        FileConfig c = valid(MODELS + """
                general_settings:
                  queue_size: 50
                  queue_timeout: 2500ms
                keys:
                  - {name: interactive, key: interactive-secret-0123456789abcdef0123, priority: 10}
                  - {name: batch, key: batch-secret-0123456789abcdef0123456789, priority: -5}
                  - {name: plain, key: plain-secret-0123456789abcdef0123456789}
                """);
        assertThat(c.general().balancing().queueSize()).isEqualTo(50);
        assertThat(c.general().balancing().queueTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.keys()).extracting(k -> k.name() + "=" + k.priority())
                .containsExactly("interactive=10", "batch=-5", "plain=0");
    }

    @Test
    void litellm_s_max_parallel_requests_is_max_concurrency_and_not_sent_upstream() {
        FileConfig c = valid("""
                model_list:
                  - {model_name: a, params: {model: hosted_vllm/a, api_base: "http://a:8000/v1", max_parallel_requests: 8}}
                """);
        assertThat(c.deployments().getFirst().maxConcurrency()).isEqualTo(8);
        assertThat(c.deployments().getFirst().extraParams()).isEmpty();
        assertThat(errors("""
                model_list:
                  - {model_name: a, params: {model: hosted_vllm/a, api_base: "http://a:8000/v1", max_concurrency: 8,
                     max_parallel_requests: 8}}
                """)).anySatisfy(e -> assertThat(e).contains("max_parallel_requests").contains("one of them"));
    }

    @Test
    void router_settings_take_the_queue_keys_too() {
        assertThat(valid(MODELS + "router_settings: {queue_size: 0}\n").general().balancing().queueSize())
                .as("0: no waiting, shed at once when full").isZero();
    }

    @Test
    void bad_values_name_their_key() {
        assertThat(errors("""
                model_list:
                  - {model_name: a, params: {model: hosted_vllm/a, api_base: "http://a:8000/v1", max_concurrency: 0}}
                  - {model_name: b, params: {model: hosted_vllm/b, api_base: "http://b:8000/v1", max_concurrency: many}}
                general_settings:
                  queue_size: -1
                  queue_timeout: soon
                keys:
                  - {name: k, key: k-secret-0123456789abcdef0123456789abc, priority: high}
                """))
                .anySatisfy(e -> assertThat(e).contains("model_list[0].params.max_concurrency").contains("0 is out of"))
                .anySatisfy(e -> assertThat(e).contains("model_list[1].params.max_concurrency")
                        .contains("not a whole number"))
                .anySatisfy(e -> assertThat(e).contains("general_settings.queue_size"))
                .anySatisfy(e -> assertThat(e).contains("general_settings.queue_timeout"))
                .anySatisfy(e -> assertThat(e).contains("keys[0].priority").contains("not a whole number"));
    }
}
