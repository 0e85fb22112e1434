package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Load read from each runtime's metrics page. The pages are written after the metric names in each runtime's
 * source (vLLM v1 {@code vllm/v1/metrics/loggers.py}, SGLang {@code sglang/srt/metrics/collector.py}, TGI
 * {@code router/src/lib.rs}, llama.cpp {@code tools/server/server.cpp}); no recorded page is in the fixtures.
 */
class RuntimeMetricsTest {

    @Test
    void vllm_v1_running_waiting_and_kv_cache_summed_over_engines() {
        String page = """
                # HELP vllm:num_requests_running Number of requests in model execution batches.
                # TYPE vllm:num_requests_running gauge
                vllm:num_requests_running{engine="0",model_name="Qwen/Qwen3-8B"} 3.0
                vllm:num_requests_running{engine="1",model_name="Qwen/Qwen3-8B"} 2.0
                # TYPE vllm:num_requests_waiting gauge
                vllm:num_requests_waiting{engine="0",model_name="Qwen/Qwen3-8B"} 7.0
                # TYPE vllm:kv_cache_usage_perc gauge
                vllm:kv_cache_usage_perc{engine="0",model_name="Qwen/Qwen3-8B"} 0.25
                vllm:kv_cache_usage_perc{engine="1",model_name="Qwen/Qwen3-8B"} 0.5
                vllm:prompt_tokens_total{engine="0",model_name="Qwen/Qwen3-8B"} 123456.0
                """;
        LoadSignal s = RuntimeMetrics.parse(page, 1, 0);
        assertThat(s.running()).isEqualTo(5);
        assertThat(s.waiting()).isEqualTo(7);
        assertThat(s.cacheUsage()).as("the fullest engine").isEqualTo(0.5);
    }

    @Test
    void vllm_publishing_old_and_new_cache_names_is_not_counted_twice() {
        String page = """
                vllm:gpu_cache_usage_perc{model_name="m"} 0.9
                vllm:kv_cache_usage_perc{model_name="m"} 0.4
                vllm:num_requests_running{model_name="m"} 1
                """;
        assertThat(RuntimeMetrics.parse(page, 1, 0).cacheUsage()).as("the newer name wins").isEqualTo(0.4);
        assertThat(RuntimeMetrics.parse("vllm:gpu_cache_usage_perc{model_name=\"m\"} 0.9\n", 1, 0).cacheUsage())
                .as("older vLLM").isEqualTo(0.9);
    }

    @Test
    void sglang_tgi_and_llamacpp_names() {
        LoadSignal sglang = RuntimeMetrics.parse("""
                sglang:num_running_reqs{model_name="meta-llama/Llama-3.1-8B",tp_rank="0"} 4.0
                sglang:num_queue_reqs{model_name="meta-llama/Llama-3.1-8B",tp_rank="0"} 2.0
                sglang:token_usage{model_name="meta-llama/Llama-3.1-8B",tp_rank="0"} 0.31
                """, 1, 0);
        assertThat(sglang.running()).isEqualTo(4);
        assertThat(sglang.waiting()).isEqualTo(2);
        assertThat(sglang.cacheUsage()).isEqualTo(0.31);

        LoadSignal tgi = RuntimeMetrics.parse("""
                # TYPE tgi_queue_size gauge
                tgi_queue_size 6
                # TYPE tgi_batch_current_size gauge
                tgi_batch_current_size 3
                """, 1, 0);
        assertThat(tgi.running()).isEqualTo(3);
        assertThat(tgi.waiting()).isEqualTo(6);
        assertThat(tgi.cacheUsage()).isNaN();

        LoadSignal llama = RuntimeMetrics.parse("""
                # HELP llamacpp:requests_processing Number of requests processing.
                llamacpp:requests_processing 2
                llamacpp:requests_deferred 5
                llamacpp:kv_cache_usage_ratio 0.75
                """, 1, 0);
        assertThat(llama.running()).isEqualTo(2);
        assertThat(llama.waiting()).isEqualTo(5);
        assertThat(llama.cacheUsage()).isEqualTo(0.75);
    }

    @Test
    void llamacpp_slots_count_busy_slots_and_all_slots_as_the_capacity() {
        LoadSignal s = RuntimeMetrics.parse("""
                [{"id":0,"n_ctx":4096,"is_processing":true},{"id":1,"is_processing": false},
                 {"id":2,"is_processing" : true}]""", 1, 0);
        assertThat(s.running()).isEqualTo(2);
        assertThat(s.waiting()).isNaN();
        assertThat(s.capacity()).as("-np 3: the limit admission control uses without max_concurrency").isEqualTo(3);
        assertThat(RuntimeMetrics.parse("vllm:num_requests_running 3\n", 1, 0).capacity())
                .as("vLLM publishes no maximum").isNaN();
    }

    @Test
    void a_capacity_page_gives_a_positive_whole_number_or_nothing() {
        assertThat(RuntimeMetrics.capacity("{\"max_concurrent_requests\":128}", "max_concurrent_requests"))
                .isEqualTo(128);
        assertThat(RuntimeMetrics.capacity("[{},{},{}]", null)).isEqualTo(3);
        for (String junk : List.of("{\"max_running_requests\":null}", "{\"max_running_requests\":-1}",
                "{\"max_running_requests\":2.5}", "{\"max_running_requests\":\"8\"}",
                "{\"max_running_requests\":1e30}", "{}", "[]", "not json", "", "{\"a\":{\"max_running_requests\":4}}")) {
            assertThat(RuntimeMetrics.capacity(junk, "max_running_requests")).as(junk).isZero();
        }
        assertThat(RuntimeMetrics.capacity("{\"slots\":[1,2]}", null)).as("not an array").isZero();
    }

    @Test
    void junk_absence_and_odd_labels_are_tolerated() {
        assertThat(RuntimeMetrics.parse(null, 1, 0).empty()).isTrue();
        assertThat(RuntimeMetrics.parse("<html>not found</html>", 1, 0).empty()).isTrue();
        assertThat(RuntimeMetrics.parse("ollama_something 3\n", 1, 0).empty()).isTrue();
        LoadSignal s = RuntimeMetrics.parse("""
                vllm:num_requests_waiting{model_name="a } b \\" c",x="y"} 4 1712345678000
                vllm:num_requests_running{model_name="m"} NaN
                vllm:num_requests_running{model_name="n"} -3
                vllm:num_requests_running{model_name="o"} banana
                vllm:kv_cache_usage_perc 87
                """, 1, 0);
        assertThat(s.waiting()).as("a quoted brace and a timestamp").isEqualTo(4);
        assertThat(s.running()).as("NaN, negative and unparsable samples skipped").isNaN();
        assertThat(s.cacheUsage()).as("a percentage scaled to a fraction").isCloseTo(0.87, within(1e-9));
    }
}
