package dev.sluice.config.file;

import static dev.sluice.config.file.FileConfigLoaderTest.check;
import static dev.sluice.config.file.FileConfigLoaderTest.errors;
import static dev.sluice.config.file.FileConfigLoaderTest.valid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Budget;
import dev.sluice.config.FileConfig;
import dev.sluice.config.Price;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The price table and the budgets of the config file: what they read as, and every way they can be wrong. */
class SpendConfigTest {

    static BigDecimal usd(String s) {
        return new BigDecimal(s);
    }

    @Test
    void pricesAreReadPerDeploymentInDollarsPerMillionTokensAsWritten() {
        FileConfig c = valid("""
                model_list:
                  - model_name: gpt
                    model_info: {id: openai-mini}
                    params: {model: openai/gpt-4o-mini, api_key: sk-x}
                    price: {input: 0.15, output: 0.60, cached_input: 0.075}
                  - model_name: gpt
                    params: {model: vllm/m}
                    price: {input: 1, output: 3}
                  - model_name: llama
                    params: {model: vllm/llama}
                    price: {gpu_hour: 2.50}
                  - model_name: litellm
                    litellm_params:
                      model: vllm/m
                      input_cost_per_token: 0.0000025
                      output_cost_per_token: 1.0e-5
                  - model_name: free
                    params: {model: vllm/free}
                """);
        assertThat(c.spending().prices()).containsOnlyKeys("openai-mini", "gpt#2", "llama#1", "litellm#1");
        assertThat(c.spending().prices().get("openai-mini"))
                .isEqualTo(Price.perMillion(usd("0.15"), usd("0.6"), usd("0.075")));
        Price second = c.spending().prices().get("gpt#2");
        assertThat(second.cachedInput()).as("cached input defaults to the input price").isEqualTo(second.input());
        Price gpu = c.spending().prices().get("llama#1");
        assertThat(gpu.derived()).isTrue();
        assertThat(gpu.gpuHour()).isEqualByComparingTo("2.50");
        assertThat(gpu.input()).as("a gpu_hour price charges output only unless input is given").isZero();
        Price litellm = c.spending().prices().get("litellm#1");
        assertThat(litellm.input()).as("LiteLLM's dollars per token, per million").isEqualByComparingTo("2.5");
        assertThat(litellm.output()).isEqualByComparingTo("10");
        assertThat(c.deployments().get(3).extraParams()).as("LiteLLM's costs are not sent upstream").isEmpty();
        assertThat(check("""
                model_list:
                  - {model_name: a, params: {model: vllm/m, input_cost_per_token: 1e-6, output_cost_per_token: 2e-6}}
                """).warnings()).as("read, not warned about as a LiteLLM-only setting").isEmpty();
    }

    @Test
    void budgetsAreReadForAliasesAndKeys() {
        FileConfig c = valid("""
                model_list:
                  - model_name: gpt
                    params: {model: vllm/a}
                    budget: {daily: 50, monthly: 1000}
                  - model_name: gpt
                    params: {model: vllm/b}
                    budget: {daily: 50.00, monthly: 1000}
                  - model_name: llama
                    params: {model: vllm/c}
                keys:
                  - {name: team-a, key: a-secret-that-is-long-enough-0123, budget: {daily: 5.5}}
                  - {name: team-b, key: b-secret-that-is-long-enough-0123, budget: {monthly: 100}}
                  - {name: team-c, key: c-secret-that-is-long-enough-0123}
                """);
        assertThat(c.spending().budgets()).containsOnlyKeys("gpt");
        assertThat(c.spending().budgets().get("gpt").dailyNanos()).isEqualTo(50_000_000_000L);
        assertThat(c.spending().budgets().get("gpt").monthlyNanos()).isEqualTo(1_000_000_000_000L);
        assertThat(c.keys().get(0).budget()).isEqualTo(new Budget(usd("5.5"), null));
        assertThat(c.keys().get(0).budget().monthlyNanos()).isEqualTo(-1);
        assertThat(c.keys().get(1).budget().monthly()).isEqualByComparingTo("100");
        assertThat(c.keys().get(2).budget()).isNull();
    }

    @Test
    void aBadPriceNamesItsKeyPathAndWhatItExpects() {
        assertThat(errors("""
                model_list:
                  - {model_name: a, params: {model: vllm/m}, price: {input: -1, output: 2}}
                  - {model_name: b, params: {model: vllm/m}, price: {input: 1, output: cheap}}
                  - {model_name: c, params: {model: vllm/m}, price: {input: 1}}
                  - {model_name: d, params: {model: vllm/m}, price: {output: 1}}
                  - {model_name: e, params: {model: vllm/m}, price: {output: 1, gpu_hour: 2}}
                  - {model_name: f, params: {model: vllm/m}, price: {gpu_hour: 0}}
                  - {model_name: g, params: {model: vllm/m}, price: 3}
                  - {model_name: h, params: {model: vllm/m, input_cost_per_token: 0.000001}}
                """)).containsExactly(
                "model_list[0].price.input: -1 is out of range (expected: a number of US dollars from 0 to"
                        + " 1000000000, per million tokens, e.g. 2.50) [line 2]",
                "model_list[1].price.output: 'cheap' is not a number (expected: a number of US dollars from 0 to"
                        + " 1000000000, per million tokens, e.g. 2.50) [line 3]",
                "model_list[2].price.output: missing (expected the price per million output tokens, e.g. price:"
                        + " {input: 0.15, output: 0.60}, or gpu_hour: 2.50 for a local runtime) [line 4]",
                "model_list[3].price.input: missing (expected the price per million input tokens, e.g. price:"
                        + " {input: 0.15, output: 0.60}) [line 5]",
                "model_list[4].price: has both output and gpu_hour (expected one: a fixed output price, or gpu_hour"
                        + " to derive it from the measured output tokens per second) [line 6]",
                "model_list[5].price.gpu_hour: 0 is out of range (expected: a number of US dollars above 0 to"
                        + " 1000000000, the runtime's cost per GPU-hour, e.g. 2.50) [line 7]",
                "model_list[6].price: expected a mapping, found a number (e.g. price: {input: 0.15, output: 0.60})"
                        + " [line 8]",
                "model_list[7].params.output_cost_per_token: missing (with input_cost_per_token, give both; or write"
                        + " price: {input: ..., output: ...} per million tokens) [line 9]");
    }

    @Test
    void aBadBudgetNamesItsKeyPathAndWhatItExpects() {
        assertThat(errors("""
                model_list:
                  - {model_name: a, params: {model: vllm/m}, budget: {daily: 0}}
                  - {model_name: b, params: {model: vllm/m}, budget: {weekly: 10}}
                  - {model_name: c, params: {model: vllm/m}, budget: {daily: 5}}
                  - {model_name: c, params: {model: vllm/m}, budget: {daily: 6}}
                keys:
                  - {name: k, key: k-secret-that-is-long-enough-0123, budget: {monthly: "$100"}}
                """)).containsExactly(
                "model_list[0].budget.daily: 0 is out of range (expected: a number of US dollars above 0 to"
                        + " 1000000000 per UTC day, e.g. 2.50) [line 2]",
                "model_list[1].budget: names no budget (expected daily, monthly or both, in US dollars, e.g. budget:"
                        + " {daily: 5, monthly: 100}) [line 3]",
                "model_list[3].budget: differs from model_list[2].budget (expected: every deployment of 'c' gives the"
                        + " same budget, or leaves it out) [line 5]",
                "keys[0].budget.monthly: '$100' is not a number (expected: a number of US dollars above 0 to"
                        + " 1000000000 per UTC month, e.g. 2.50) [line 7]");
        assertThat(check("""
                model_list:
                  - {model_name: b, params: {model: vllm/m}, budget: {weekly: 10, daily: 1}}
                """).warnings()).singleElement().asString().startsWith("model_list[0].budget.weekly: unknown key,"
                + " ignored").contains("daily, monthly");
    }
}
