package dev.sluice.config.file;

import dev.sluice.config.ConfigException;

import dev.sluice.backend.Provider;

import static dev.sluice.config.file.FileConfigLoaderTest.errors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every problem a config file can have is reported with its key path, all at once, and never with a secret. */
class FileConfigLoaderErrorsTest {

    @Test
    void aBadApiBaseNamesItsKeyPathAndLine() {
        assertThat(errors("""
                model_list:
                  - model_name: a
                    params: {model: vllm/m}
                  - model_name: b
                    params: {model: vllm/m}
                  - model_name: c
                    params:
                      model: vllm/m
                      api_base: ftp://x
                  - model_name: d
                    params: {model: vllm/m, api_base: "http://u:p4ss@h/v1"}
                  - model_name: e
                    params: {model: vllm/m, api_base: "http://h/v1?key=abc"}
                  - model_name: f
                    params: {model: vllm/m, api_base: "127.0.0.1:8000"}
                """)).containsExactly(
                "model_list[2].params.api_base: 'ftp://x' is not an http(s) URL (expected an absolute http:// or"
                        + " https:// URL with a host, e.g. http://127.0.0.1:8000/v1) [line 9]",
                "model_list[3].params.api_base: must not carry credentials (user:password@); put the key in api_key"
                        + " [line 11]",
                "model_list[4].params.api_base: must not have a query or fragment (expected e.g."
                        + " http://127.0.0.1:8000/v1) [line 13]",
                "model_list[5].params.api_base: '127.0.0.1:8000' is not a valid URL (expected e.g."
                        + " http://127.0.0.1:8000/v1) [line 15]");
    }

    @Test
    void fallbacksMustNameModelNamesAndNotThemselves() {
        assertThat(errors("""
                model_list:
                  - {model_name: llama, params: {model: vllm/m}}
                  - {model_name: gpt, params: {model: sim/m}}
                general_settings:
                  fallbacks:
                    - llama: [llama-small, gpt]
                    - gpt: [gpt]
                    - mistral: [gpt]
                    - llama: [gpt]
                    - 7
                """)).containsExactly(
                "general_settings.fallbacks[0].llama: 'llama-small' is not a model_name in model_list (known: llama,"
                        + " gpt) [line 6]",
                "general_settings.fallbacks[1].gpt: 'gpt' falls back to itself (remove it from its own fallbacks)"
                        + " [line 7]",
                "general_settings.fallbacks[2].mistral: 'mistral' is not a model_name in model_list (known: llama,"
                        + " gpt) [line 8]",
                "general_settings.fallbacks[3].llama: the fallbacks of 'llama' are already given at"
                        + " general_settings.fallbacks[0].llama (expected: one chain per model_name) [line 9]",
                "general_settings.fallbacks[4]: expected a mapping, found a number (e.g. fallbacks: [{llama:"
                        + " [llama-small, gpt-4o-mini]}]) [line 10]");
    }

    @Test
    void wrongTypesSayWhatWasExpected() {
        assertThat(errors("""
                model_list:
                  - model_name: [a, b]
                    params: {model: vllm/m}
                  - model_name: c
                    params: vllm/m
                  - model_name: d
                    params: {model: vllm/m, weight: heavy, rpm: 1.5, timeout: soon}
                  - 42
                  -
                  - params: {model: vllm/m}
                general_settings:
                  num_retries: two
                  fallbacks: 3
                  retry_budget_ratio: 2
                  allowed_fails: 0
                """)).containsExactly(
                "model_list[0].model_name: expected a single value, found a list [line 2]",
                "model_list[1].params: expected a mapping, found text (e.g. params: {model:"
                        + " vllm/meta-llama/Llama-3.1-8B-Instruct}) [line 5]",
                "model_list[2].params.weight: 'heavy' is not a whole number (expected: a whole number from 0 to"
                        + " 1000000; 0 takes the deployment out of rotation) [line 7]",
                "model_list[2].params.timeout: 'soon' is not a duration (expected: seconds, e.g. 30 or 2.5, or a"
                        + " number with a unit: 250ms, 10s, 5m, 1h) [line 7]",
                "model_list[2].params.rpm: 1.5 is not a whole number (expected: a whole number from 1 to 2147483647,"
                        + " requests per minute) [line 7]",
                "model_list[3]: expected a mapping, found a number (e.g. {model_name: llama, params: {model:"
                        + " vllm/meta-llama/Llama-3.1-8B-Instruct}}) [line 8]",
                "model_list[4]: is empty (expected e.g. {model_name: llama, params: {model:"
                        + " vllm/meta-llama/Llama-3.1-8B-Instruct}}) [line 9]",
                "model_list[5].model_name: missing (expected the name clients send, e.g. model_name: llama)"
                        + " [line 10]",
                "general_settings.num_retries: 'two' is not a whole number (expected: a whole number from 0 to 100,"
                        + " extra attempts within a pool) [line 12]",
                "general_settings.fallbacks: 3 is not a list of fallbacks (expected e.g. fallbacks: [{llama:"
                        + " [llama-small, gpt-4o-mini]}]) [line 13]",
                "general_settings.retry_budget_ratio: 2 is out of range (expected: a number from 0.0 to 1.0, the"
                        + " share of extra attempts allowed; 0.2 = 20 %) [line 14]",
                "general_settings.allowed_fails: 0 is out of range (expected: a whole number from 1 to 1000,"
                        + " consecutive failures before a deployment is ejected) [line 15]");
    }

    @Test
    void negativeAndAllZeroWeightsAreErrors() {
        assertThat(errors("""
                model_list:
                  - {model_name: a, params: {model: vllm/m, weight: -1}}
                  - {model_name: b, params: {model: vllm/m, weight: 0}}
                  - {model_name: b, params: {model: vllm/m, weight: 0}}
                """)).containsExactly(
                "model_list: every deployment of 'b' has weight 0, so nothing can serve it (expected: at least one"
                        + " with weight >= 1) [line 1]",
                "model_list[0].params.weight: -1 is out of range (expected: a whole number from 0 to 1000000; 0"
                        + " takes the deployment out of rotation) [line 2]");
    }

    @Test
    void idsMustBeUnique() {
        assertThat(errors("""
                model_list:
                  - {model_name: a, model_info: {id: gpu-1}, params: {model: vllm/m}}
                  - {model_name: b, model_info: {id: gpu-1}, params: {model: vllm/m}}
                  - {model_name: a, params: {model: vllm/m}}
                  - {model_name: c, id: "a#2", params: {model: vllm/m}}
                  - {model_name: d, id: x, model_info: {id: y}, params: {model: vllm/m}}
                """)).containsExactly(
                "model_list[1].model_info.id: id 'gpu-1' is already used by model_list[0] (expected: unique ids; set"
                        + " model_info.id on one of them) [line 3]",
                "model_list[3].id: id 'a#2' is already used by model_list[2] (expected: unique ids; set model_info.id"
                        + " on one of them) [line 5]",
                "model_list[4].id: 'x' differs from model_info.id 'y' (expected one id; keep one of them) [line 6]");
    }

    @Test
    void providerRulesAreChecked() {
        assertThat(errors("""
                model_list:
                  - {model_name: a, params: {model: azure/gpt-4o, api_key: k, api_base: "https://r.openai.azure.com"}}
                  - {model_name: b, params: {model: azure/gpt-4o, api_key: k, api_version: "2024-10-21"}}
                  - {model_name: c, params: {model: groq/llama-3.1-8b-instant}}
                  - {model_name: d, params: {model: bedrock/claude}}
                  - {model_name: e, params: {model: Llama-3.1-8B}}
                  - {model_name: f, params: {api_base: "http://h/v1"}}
                  - {model_name: g, params: {model: "", api_base: "gopher://h"}}
                """)).containsExactly(
                "model_list[0].params.api_version: missing (azure needs the api-version of the Azure OpenAI API, e.g."
                        + " api_version: 2024-10-21) [line 2]",
                "model_list[1].params.api_base: missing (azure has no default URL; give the resource's URL, e.g."
                        + " api_base: https://my-resource.openai.azure.com) [line 3]",
                "model_list[2].params.api_key: missing (groq needs an API key: give it as os.environ/GROQ_API_KEY, as"
                        + " ${GROQ_API_KEY} or inline) [line 4]",
                "model_list[3].params.model: 'bedrock' is not a known provider (expected one of " + Provider.allIds()
                        + ") [line 5]",
                "model_list[4].params.model: 'Llama-3.1-8B' has no provider prefix (expected provider/model, e.g."
                        + " vllm/meta-llama/Llama-3.1-8B-Instruct or ollama/llama3.2; providers: " + Provider.allIds()
                        + ") [line 6]",
                "model_list[5].params.model: missing (expected provider/model, e.g."
                        + " vllm/meta-llama/Llama-3.1-8B-Instruct; providers: " + Provider.allIds() + ") [line 7]",
                "model_list[6].params.model: is empty (expected provider/model, e.g. ollama/llama3.2) [line 8]",
                "model_list[6].params.api_base: 'gopher://h' is not an http(s) URL (expected an absolute http:// or"
                        + " https:// URL with a host, e.g. http://127.0.0.1:8000/v1) [line 8]");
    }

    @Test
    void settingsRulesAreChecked() {
        assertThat(errors("""
                model_list:
                  - {model_name: a, params: {model: vllm/m}}
                general_settings:
                  routing_strategy: latency-based-routing
                  retry_backoff_base: 2s
                  retry_backoff_max: 1s
                  cooldown: -5
                """)).containsExactly(
                "general_settings.routing_strategy: 'latency-based-routing' is not a supported routing strategy"
                        + " (expected: weighted, least_in_flight, least_loaded or prefix_affinity; LiteLLM's simple-shuffle and least-busy are"
                        + " accepted) [line 4]",
                "general_settings.retry_backoff_max: retry_backoff_max (1000ms) is shorter than retry_backoff_base"
                        + " (2000ms) (expected: max >= base) [line 6]",
                "general_settings.cooldown: -5 is out of range (expected: from 1ms to 3600s) [line 7]");
    }

    @Test
    void structuralProblemsAreReported() {
        assertThat(errors("")).containsExactly("the file is empty (expected at least model_list: with one"
                + " deployment; see docs/CONFIG-FILE.md)");
        assertThat(errors("- a\n- b\n")).containsExactly(
                "the file must be a mapping with model_list: at the top, found a list");
        assertThat(errors("general_settings: {num_retries: 1}\n")).containsExactly(
                "model_list: missing (expected a list of deployments, e.g. model_list: [{model_name: llama, params:"
                        + " {model: vllm/meta-llama/Llama-3.1-8B-Instruct}}])");
        assertThat(errors("model_list: []\n")).containsExactly("model_list: is empty (expected at least one"
                + " deployment, e.g. {model_name: llama, params: {model: vllm/meta-llama/Llama-3.1-8B-Instruct}})"
                + " [line 1]");
        assertThat(errors("""
                model_list:
                  - model_name: a
                    params: {model: vllm/m}
                    litellm_params: {model: vllm/m}
                """)).containsExactly("model_list[0]: has both params and litellm_params (expected one of them;"
                + " they mean the same) [line 2]");
    }

    @Test
    void yamlSyntaxErrorsGiveLineAndColumn() {
        assertThat(errors("""
                model_list:
                  - model_name: a
                    params:
                      model: vllm/m
                     api_base: http://x
                """)).singleElement().asString()
                .startsWith("YAML syntax error at line 5, column 6: ");
        assertThat(errors("""
                model_list:
                  - model_name: a
                    params: {model: vllm/m}
                    model_name: b
                """)).containsExactly("YAML syntax error at line 4, column 5: found duplicate key model_name"
                + " (while constructing a mapping)");
    }

    @Test
    void everyProblemIsReportedInOneRun() {
        List<String> errors = errors("""
                model_list:
                  - {model_name: a, params: {model: nope/m}}
                  - {model_name: b, params: {model: vllm/m, api_base: "ftp://x", weight: -2}}
                  - {model_name: c, params: {model: openai/gpt-4o}}
                general_settings:
                  num_retries: -1
                  fallbacks: [{a: [zzz]}]
                """);

        assertThat(errors).hasSize(6);
        assertThat(errors).extracting(e -> e.substring(0, e.indexOf(':'))).containsExactly(
                "model_list[0].params.model", "model_list[1].params.api_base", "model_list[1].params.weight",
                "model_list[2].params.api_key", "general_settings.num_retries", "general_settings.fallbacks[0].a");
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> FileConfigLoader.load("model_list: [{model_name: a, params: {model: nope/m}}]", n -> null));
        assertThat(e.problems()).hasSize(1);
        assertThat(e.getMessage()).startsWith("invalid configuration:\n  - model_list[0].params.model: 'nope'");
    }

    @Test
    void secretsNeverAppearInProblemsOrWarnings() {
        String secret = "sk-SECRET-1234567890";
        Map<String, String> env = Map.of("KEY", secret, "BAD_URL", "ftp://" + secret + "@host");
        String yaml = """
                model_list:
                  - model_name: a
                    params:
                      model: vllm/m
                      api_key: {inline: "%1$s"}
                  - model_name: b
                    params:
                      model: vllm/m
                      api_key: "%1$s${nope nope}"
                      api_base: "http://user:%1$s@gpu/v1"
                  - model_name: c
                    params:
                      model: vllm/m
                      api_key: os.environ/KEY
                      api_base: os.environ/BAD_URL
                      api_kye: "%1$s"
                  - model_name: d
                    params: {model: vllm/m, api_base: "http://gpu/v1?token=%1$s"}
                general_settings:
                  master_key: [%1$s]
                """.formatted(secret);

        FileConfigLoader.Result r = FileConfigLoader.check(yaml, env::get);
        List<String> all = new ArrayList<>(r.errors());
        all.addAll(r.warnings());
        all.addAll(FileConfigLoader.check(yaml + "\n  broken: [" + secret + "\n", env::get).errors());
        all.addAll(FileConfigLoader.check("model_list:\n  - api_key: " + secret + ": x\n", env::get).errors());
        all.addAll(FileConfigLoader.check("model_list:\n  - api_key: *" + secret + "\n", env::get).errors());
        all.addAll(FileConfigLoader.check("model_list:\n  - api_key: !" + secret + " x\n", env::get).errors());

        assertThat(r.errors()).hasSize(6);
        assertThat(all).hasSize(r.errors().size() + r.warnings().size() + 4);
        assertThat(all).isNotEmpty().allSatisfy(m -> assertThat(m).doesNotContain(secret).doesNotContain("SECRET"));
    }
}
