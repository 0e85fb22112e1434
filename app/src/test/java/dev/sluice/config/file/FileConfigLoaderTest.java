package dev.sluice.config.file;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Deployment;
import dev.sluice.config.GeneralSettings;
import dev.sluice.config.RoutingStrategy;

import dev.sluice.config.FileConfig;

import dev.sluice.backend.Provider;
import dev.sluice.backend.WireDialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileConfigLoaderTest {
    static final Function<String, String> NO_ENV = name -> null;
    /** Long enough not to draw the short-key warning. */
    static final String MASTER = "sk-1234-0123456789abcdef0123456789";

    /** The repository's examples/config folder, whether the tests run from the root or from app/. */
    static Path example(String name) {
        Path p = Path.of("examples/config", name);
        return Files.exists(p) ? p : Path.of("../examples/config", name);
    }

    static FileConfigLoader.Result check(String yaml) {
        return FileConfigLoader.check(yaml, NO_ENV);
    }

    static List<String> errors(String yaml) {
        FileConfigLoader.Result r = check(yaml);
        assertThat(r.ok()).as("expected problems in:\n" + yaml).isFalse();
        assertThat(r.config()).isNull();
        return r.errors();
    }

    static FileConfig valid(String yaml) {
        FileConfigLoader.Result r = check(yaml);
        assertThat(r.errors()).as("problems").isEmpty();
        return r.config();
    }

    @Test
    void theLiteLlmStyleExampleParsesWithLiteLlmSpellings() {
        Map<String, String> env = Map.of("OPENAI_API_KEY", "sk-openai", "LITELLM_MASTER_KEY", MASTER);
        FileConfigLoader.Result r = FileConfigLoader.check(example("litellm-style.yaml"), env::get);

        assertThat(r.errors()).isEmpty();
        FileConfig c = r.config();
        assertThat(c.deployments()).extracting(Deployment::id)
                .containsExactly("qwen-gpu-1", "qwen-gpu-2", "local-llama#1", "gpt-4o-mini#1");
        Deployment qwen = c.deployments().getFirst();
        assertThat(qwen.provider()).isEqualTo(Provider.VLLM);
        assertThat(qwen.upstreamModel()).isEqualTo("Qwen/Qwen2.5-7B-Instruct");
        assertThat(qwen.apiBase()).isEqualTo(URI.create("http://gpu-1:8000/v1"));
        assertThat(qwen.rpm()).isEqualTo(300);
        Deployment ollama = c.deployments().get(2);
        assertThat(ollama.provider()).isEqualTo(Provider.OLLAMA);
        assertThat(ollama.apiBase()).as("the OpenAI-compatible path is added").isEqualTo(
                URI.create("http://localhost:11434/v1"));
        Deployment gpt = c.deployments().get(3);
        assertThat(gpt.apiKey()).isEqualTo("sk-openai");
        assertThat(gpt.apiBase()).isEqualTo(URI.create("https://api.openai.com/v1"));
        assertThat(gpt.timeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.pools()).containsOnlyKeys("qwen", "local-llama", "gpt-4o-mini");
        assertThat(c.pools().get("qwen")).hasSize(2);

        GeneralSettings g = c.general();
        assertThat(g.masterKey()).isEqualTo(MASTER);
        assertThat(g.routingStrategy()).isEqualTo(RoutingStrategy.WEIGHTED);
        assertThat(g.numRetries()).isEqualTo(2);
        assertThat(g.allowedFails()).isEqualTo(3);
        assertThat(g.cooldown()).isEqualTo(Duration.ofSeconds(30));
        assertThat(g.fallbacks()).containsExactly(
                Map.entry("qwen", List.of("local-llama", "gpt-4o-mini")),
                Map.entry("local-llama", List.of("gpt-4o-mini")));
        assertThat(r.warnings()).singleElement().asString()
                .startsWith("litellm_settings.drop_params: not used by Sluice, ignored");
    }

    @Test
    void aDockerModelGatewayStyleFileParses() {
        String yaml = """
                model_list:
                  - model_name: smollm2
                    params:
                      model: docker_model_runner/ai/smollm2
                  - model_name: claude
                    params:
                      model: anthropic/claude-sonnet-4-5
                      api_key: ${ANTHROPIC_API_KEY}
                  - model_name: fast
                    params:
                      model: groq/llama-3.1-8b-instant
                      api_key: os.environ/GROQ_API_KEY
                general_settings:
                  master_key: ${GATEWAY_KEY}
                  num_retries: 0
                  fallbacks:
                    - claude: [fast, smollm2]
                """;
        Map<String, String> env = Map.of("ANTHROPIC_API_KEY", "sk-ant", "GROQ_API_KEY", "gsk", "GATEWAY_KEY", "mk");
        FileConfig c = FileConfigLoader.load(yaml, env::get);

        Deployment dmr = c.deployments().get(0);
        assertThat(dmr.provider()).isEqualTo(Provider.DOCKER_MODEL_RUNNER);
        assertThat(dmr.upstreamModel()).isEqualTo("ai/smollm2");
        assertThat(dmr.apiBase()).isEqualTo(URI.create("http://127.0.0.1:12434/engines/v1"));
        Deployment claude = c.deployments().get(1);
        assertThat(claude.provider().dialect()).isEqualTo(WireDialect.ANTHROPIC);
        assertThat(claude.apiKey()).isEqualTo("sk-ant");
        assertThat(claude.url("messages")).isEqualTo(URI.create("https://api.anthropic.com/v1/messages"));
        assertThat(c.deployments().get(2).apiBase()).isEqualTo(URI.create("https://api.groq.com/openai/v1"));
        assertThat(c.general().masterKey()).isEqualTo("mk");
        assertThat(c.general().numRetries()).isZero();
        assertThat(c.general().fallbacksFor("claude")).containsExactly("fast", "smollm2");
        assertThat(c.summary()).isEqualTo("3 deployments in 3 pools, fallbacks: claude -> fast, smollm2");
    }

    @Test
    void theSluiceExampleFormsAWeightedPoolWithAFallback() throws Exception {
        FileConfig c = FileConfigLoader.load(example("sluice.yaml"), NO_ENV);

        assertThat(c.pools().get("llama")).extracting(Deployment::id, Deployment::provider, Deployment::weight)
                .containsExactly(tuple("gpu-box-vllm", Provider.VLLM, 3),
                        tuple("llama#2", Provider.OLLAMA, 1));
        assertThat(c.pools().get("llama").get(1).extraParams()).containsEntry("temperature", 0.2);
        assertThat(c.pools().get("llama-small").getFirst().apiBase())
                .isEqualTo(URI.create("http://127.0.0.1:11434/v1"));
        assertThat(c.summary()).isEqualTo("3 deployments in 2 pools, fallbacks: llama -> llama-small");
        assertThat(c.general()).isEqualTo(new GeneralSettings(null, 2, Map.of("llama", List.of("llama-small")),
                RoutingStrategy.WEIGHTED, Duration.ofMillis(25), Duration.ofMillis(250), Duration.ofSeconds(10), 0.2,
                3, Duration.ofSeconds(30)));
        assertThat(FileConfigLoader.check(Files.readString(example("sluice.yaml")), NO_ENV).warnings()).isEmpty();
    }

    @Test
    void aMinimalFileGetsTheDocumentedDefaults() {
        FileConfig c = valid("""
                model_list:
                  - model_name: llama
                    params: {model: vllm/meta-llama/Llama-3.1-8B-Instruct}
                  - model_name: llama
                    params: {model: vllm/meta-llama/Llama-3.1-8B-Instruct, api_base: "http://gpu:8000/v1/"}
                """);

        assertThat(c.general()).isEqualTo(GeneralSettings.defaults());
        assertThat(c.general().numRetries()).isEqualTo(2);
        assertThat(c.general().routingStrategy()).isEqualTo(RoutingStrategy.WEIGHTED);
        assertThat(c.general().retryBackoffBase()).isEqualTo(Duration.ofMillis(25));
        assertThat(c.general().retryBackoffMax()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.general().retryAfterCap()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.general().retryBudgetRatio()).isEqualTo(0.2);
        assertThat(c.general().allowedFails()).isEqualTo(3);
        assertThat(c.general().cooldown()).isEqualTo(Duration.ofSeconds(30));
        Deployment first = c.deployments().get(0);
        assertThat(first.id()).isEqualTo("llama#1");
        assertThat(first.apiBase()).isEqualTo(URI.create("http://127.0.0.1:8000/v1"));
        assertThat(first.weight()).isEqualTo(1);
        assertThat(first.timeout()).isNull();
        assertThat(first.rpm()).isNull();
        assertThat(first.tpm()).isNull();
        assertThat(first.apiKey()).isNull();
        assertThat(first.extraParams()).isEmpty();
        assertThat(c.deployments().get(1).id()).isEqualTo("llama#2");
        assertThat(c.deployments().get(1).apiBase()).as("trailing slash dropped").isEqualTo(
                URI.create("http://gpu:8000/v1"));
    }

    @Test
    void environmentReferencesResolveInBothSyntaxesAndInsideLongerStrings() {
        Map<String, String> env = Map.of("KEY", "secret-key", "HOST", "gpu-7", "PORT", "8001", "VER", "2024-10-21");
        FileConfig c = FileConfigLoader.load("""
                model_list:
                  - model_name: a
                    params:
                      model: vllm/m
                      api_base: http://${HOST}:${PORT}/v1
                      api_key: os.environ/KEY
                  - model_name: b
                    params:
                      model: azure/my-deployment
                      api_base: https://${HOST}.openai.azure.com
                      api_key: ${KEY}
                      api_version: ${VER}
                      extra_headers_token: os.environ/KEY
                general_settings:
                  master_key: "sk-${KEY}"
                """, env::get);

        assertThat(c.deployments().get(0).apiBase()).isEqualTo(URI.create("http://gpu-7:8001/v1"));
        assertThat(c.deployments().get(0).apiKey()).isEqualTo("secret-key");
        Deployment azure = c.deployments().get(1);
        assertThat(azure.apiKey()).isEqualTo("secret-key");
        assertThat(azure.apiVersion()).isEqualTo("2024-10-21");
        assertThat(azure.extraParams()).containsEntry("extra_headers_token", "secret-key");
        assertThat(azure.url("chat/completions")).isEqualTo(URI.create(
                "https://gpu-7.openai.azure.com/openai/deployments/my-deployment/chat/completions"
                        + "?api-version=2024-10-21"));
        assertThat(c.general().masterKey()).isEqualTo("sk-secret-key");
    }

    @Test
    void anUnsetOrEmptyVariableIsAnErrorNamingTheKeyPathAndTheVariable() {
        Map<String, String> env = Map.of("EMPTY", " ");
        FileConfigLoader.Result r = FileConfigLoader.check("""
                model_list:
                  - model_name: a
                    params:
                      model: openai/gpt-4o
                      api_key: os.environ/OPENAI_API_KEY
                  - model_name: b
                    params:
                      model: vllm/m
                      api_base: http://${GPU_HOST}:8000/v1
                      api_key: ${EMPTY}
                general_settings:
                  master_key: os.environ/MASTER
                """, env::get);

        assertThat(r.errors()).containsExactly(
                "model_list[0].params.api_key: environment variable OPENAI_API_KEY is not set (referenced as"
                        + " os.environ/OPENAI_API_KEY; set it, or give the value inline) [line 5]",
                "model_list[1].params.api_base: environment variable GPU_HOST is not set (referenced as ${GPU_HOST};"
                        + " set it, or give the value inline) [line 9]",
                "model_list[1].params.api_key: environment variable EMPTY is empty (referenced as ${EMPTY}; set it,"
                        + " or give the value inline) [line 10]",
                "general_settings.master_key: environment variable MASTER is not set (referenced as"
                        + " os.environ/MASTER; set it, or give the value inline) [line 12]");
    }

    @Test
    void badReferencesAreReportedWithoutQuotingSecrets() {
        List<String> errors = errors("""
                model_list:
                  - model_name: a
                    params:
                      model: vllm/m
                      api_key: "sk-abc${not a name}"
                      api_base: http://${HOST
                """);

        assertThat(errors).containsExactly(
                "model_list[0].params.api_key: has a ${...} reference that is not a variable name (expected letters,"
                        + " digits and _, e.g. ${OPENAI_API_KEY}) [line 5]",
                "model_list[0].params.api_base: has '${' with no closing '}' (expected ${VARIABLE_NAME}) [line 6]");
    }

    @Test
    void extraParamsAreKeptAsWrittenAndLiteLlmClientSettingsAreDropped() {
        FileConfigLoader.Result r = check("""
                model_list:
                  - model_name: a
                    params:
                      model: vllm/m
                      temperature: 0.3
                      max_tokens: 512
                      extra_body: {top_k: 20, chat_template_kwargs: {enable_thinking: false}}
                      stream_timeout: 10
                      max_retries: 4
                      api_bsae: http://x
                """);

        assertThat(r.errors()).isEmpty();
        Map<String, Object> extra = r.config().deployments().getFirst().extraParams();
        assertThat(extra).containsOnlyKeys("temperature", "max_tokens", "extra_body", "api_bsae");
        assertThat(extra).containsEntry("temperature", 0.3).containsEntry("max_tokens", 512);
        assertThat(extra.get("extra_body")).isEqualTo(Map.of("top_k", 20, "chat_template_kwargs",
                Map.of("enable_thinking", false)));
        assertThat(r.warnings()).containsExactly(
                "model_list[0].params.stream_timeout: a LiteLLM client setting Sluice does not use; ignored (not sent"
                        + " upstream) [line 8]",
                "model_list[0].params.max_retries: a LiteLLM client setting Sluice does not use; ignored (not sent"
                        + " upstream) [line 9]",
                "model_list[0].params.api_bsae: not a Sluice setting, so it is sent upstream as a request parameter;"
                        + " did you mean 'api_base'? [line 10]");
    }

    @Test
    void ourAdditionsParseWithUnits() {
        FileConfig c = valid("""
                model_list:
                  - model_name: a
                    params: {model: vllm/m, weight: 0, timeout: 2.5, rpm: 60, tpm: 100000}
                  - model_name: a
                    params: {model: vllm/m, weight: 5, timeout: 500ms}
                  - model_name: b
                    params: {model: vllm/m, timeout: 2m}
                general_settings:
                  routing_strategy: least_in_flight
                  retry_backoff_base: 0.05
                  retry_backoff_max: 1s
                  retry_after_cap: 0
                  retry_budget_ratio: 0.5
                  allowed_fails: 5
                  cooldown: 1m
                  fallbacks: {a: [b], b: a}
                """);

        assertThat(c.deployments()).extracting(Deployment::timeout).containsExactly(Duration.ofMillis(2500),
                Duration.ofMillis(500), Duration.ofMinutes(2));
        assertThat(c.deployments().getFirst().weight()).isZero();
        assertThat(c.deployments().getFirst().rpm()).isEqualTo(60);
        assertThat(c.deployments().getFirst().tpm()).isEqualTo(100_000);
        assertThat(c.general()).isEqualTo(new GeneralSettings(null, 2, Map.of("a", List.of("b"), "b", List.of("a")),
                RoutingStrategy.LEAST_IN_FLIGHT, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ZERO, 0.5, 5,
                Duration.ofMinutes(1)));
    }

    @Test
    void routerSettingsAreReadAsLiteLlmDoesAndGeneralSettingsWin() {
        FileConfigLoader.Result r = check("""
                model_list:
                  - model_name: a
                    params: {model: vllm/m}
                general_settings:
                  num_retries: 1
                router_settings:
                  num_retries: 5
                  routing_strategy: least-busy
                  cooldown_time: 12
                  timeout: 30
                """);

        assertThat(r.errors()).isEmpty();
        assertThat(r.config().general().numRetries()).isEqualTo(1);
        assertThat(r.config().general().routingStrategy()).isEqualTo(RoutingStrategy.LEAST_IN_FLIGHT);
        assertThat(r.config().general().cooldown()).isEqualTo(Duration.ofSeconds(12));
        assertThat(r.warnings()).hasSize(2);
        assertThat(r.warnings().get(0)).isEqualTo("router_settings.num_retries: also given as"
                + " general_settings.num_retries, which is used; this one is ignored [line 7]");
        assertThat(r.warnings().get(1)).startsWith("router_settings.timeout: not used by Sluice, ignored");
    }

    @Test
    void unknownKeysAreWarningsWithTheirPathNotErrors() {
        FileConfigLoader.Result r = check("""
                model_list:
                  - model_name: a
                    parms: {x: 1}
                    params: {model: vllm/m}
                    tpm: 5
                general_settings:
                  database_url: postgres://x
                  num_retires: 3
                environment_variables: {A: b}
                modle_list: []
                """);

        assertThat(r.errors()).isEmpty();
        assertThat(r.warnings()).containsExactlyInAnyOrder(
                "model_list[0].parms: unknown key, ignored; did you mean 'params'? (model_list entry keys: model_name,"
                        + " params, litellm_params, model_info, id, cache, price, budget) [line 3]",
                "model_list[0].tpm: unknown key, ignored (model_list entry keys: model_name, params, litellm_params,"
                        + " model_info, id, cache, price, budget) [line 5]",
                "general_settings.database_url: not used by Sluice, ignored (general_settings keys Sluice reads:"
                        + " master_key, num_retries, fallbacks, routing_strategy, retry_backoff_base, retry_backoff_max,"
                        + " retry_after_cap, retry_budget_ratio, allowed_fails, cooldown, cooldown_time, routing_strategy_per_alias, affinity_spill, load_poll_interval, health_check_interval, health_check_timeout, health_check_unhealthy_threshold, health_check_healthy_threshold, queue_size, queue_timeout, redis_url, redis_timeout_ms, redis_failure_mode, redis_replicas_hint) [line 7]",
                "general_settings.num_retires: not used by Sluice, ignored; did you mean 'num_retries'? (general_settings"
                        + " keys Sluice reads: master_key, num_retries, fallbacks, routing_strategy, retry_backoff_base,"
                        + " retry_backoff_max, retry_after_cap, retry_budget_ratio, allowed_fails, cooldown,"
                        + " cooldown_time, routing_strategy_per_alias, affinity_spill, load_poll_interval,"
                        + " health_check_interval, health_check_timeout, health_check_unhealthy_threshold,"
                        + " health_check_healthy_threshold, queue_size, queue_timeout, redis_url, redis_timeout_ms, redis_failure_mode, redis_replicas_hint) [line 8]",
                "environment_variables: not supported, ignored: set these variables in the gateway's environment"
                        + " instead [line 9]",
                "modle_list: unknown key, ignored; did you mean 'model_list'? (top-level keys: model_list,"
                        + " general_settings, router_settings, litellm_settings, keys) [line 10]");
    }

    @Test
    void yamlOneTwoScalarsKeepVersionsAndWordsAsText() {
        FileConfig c = valid("""
                model_list:
                  - model_name: no
                    params: {model: azure/gpt-4o, api_base: "https://r.openai.azure.com", api_key: on,
                             api_version: 2024-10-21}
                  - model_name: 3.10
                    params: {model: vllm/m}
                """);

        assertThat(c.aliases()).containsExactly("no", "3.10");
        assertThat(c.deployments().getFirst().apiVersion()).isEqualTo("2024-10-21");
        assertThat(c.deployments().getFirst().apiKey()).isEqualTo("on");
    }

    @Test
    void aFileIsReadFromDisk(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, "model_list:\n  - {model_name: a, params: {model: sim/x}}\n");

        FileConfig c = FileConfigLoader.load(file, NO_ENV);

        assertThat(c.deployments().getFirst().provider()).isEqualTo(Provider.SIM);
        assertThat(c.deployments().getFirst().apiBase()).isNull();
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> FileConfigLoader.load(dir.resolve("missing.yaml"), NO_ENV));
        assertThat(e.problems()).containsExactly(dir.resolve("missing.yaml") + ": no such file (give the path of a"
                + " YAML config file with -c, --config or SLUICE_CONFIG)");
    }
}
