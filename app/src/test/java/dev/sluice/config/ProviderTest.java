package dev.sluice.config;

import dev.sluice.backend.BackendKind;
import dev.sluice.backend.Provider;
import dev.sluice.backend.WireDialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProviderTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "-", textBlock = """
            # id,              base URL,                               profile,             key,   dialect
            vllm,                http://127.0.0.1:8000/v1,             VLLM,                false, OPENAI
            ollama,              http://127.0.0.1:11434/v1,            OLLAMA,              false, OPENAI
            llamacpp,            http://127.0.0.1:8080/v1,             LLAMACPP,            false, OPENAI
            tgi,                 http://127.0.0.1:3000/v1,             TGI,                 false, OPENAI
            sglang,              http://127.0.0.1:30000/v1,            SGLANG,              false, OPENAI
            localai,             http://127.0.0.1:8080/v1,             LOCALAI,             false, OPENAI
            lm_studio,           http://127.0.0.1:1234/v1,             LMSTUDIO,            false, OPENAI
            docker_model_runner, http://127.0.0.1:12434/engines/v1,    DOCKER_MODEL_RUNNER, false, OPENAI
            huggingface,         http://127.0.0.1:3000/v1,             TGI,                 false, OPENAI
            sim,                 -,                                    SIM,                 false, OPENAI
            openai,              https://api.openai.com/v1,            OPENAI,              true,  OPENAI
            groq,                https://api.groq.com/openai/v1,       OPENAI,              true,  OPENAI
            mistral,             https://api.mistral.ai/v1,            OPENAI,              true,  OPENAI
            together_ai,         https://api.together.xyz/v1,          OPENAI,              true,  OPENAI
            deepseek,            https://api.deepseek.com/v1,          OPENAI,              true,  OPENAI
            fireworks_ai,        https://api.fireworks.ai/inference/v1, OPENAI,             true,  OPENAI
            openrouter,          https://openrouter.ai/api/v1,         OPENAI,              true,  OPENAI
            perplexity,          https://api.perplexity.ai,            OPENAI,              true,  OPENAI
            xai,                 https://api.x.ai/v1,                  OPENAI,              true,  OPENAI
            nvidia_nim,          https://integrate.api.nvidia.com/v1,  OPENAI,              true,  OPENAI
            cerebras,            https://api.cerebras.ai/v1,           OPENAI,              true,  OPENAI
            sambanova,           https://api.sambanova.ai/v1,          OPENAI,              true,  OPENAI
            deepinfra,           https://api.deepinfra.com/v1/openai,  OPENAI,              true,  OPENAI
            azure,               -,                                    OPENAI,              true,  AZURE
            anthropic,           https://api.anthropic.com,            OPENAI,              true,  ANTHROPIC
            """)
    void everyProviderKnowsItsBaseUrlProfileKeyAndDialect(String id, String baseUrl, BackendKind kind,
            boolean keyRequired, WireDialect dialect) {
        Provider p = Provider.parse(id);

        assertThat(p.id()).isEqualTo(id);
        assertThat(p.defaultBaseUrl()).isEqualTo(baseUrl == null ? null : URI.create(baseUrl));
        assertThat(p.backendKind()).isEqualTo(kind);
        assertThat(p.apiKeyRequired()).isEqualTo(keyRequired);
        assertThat(p.local()).isEqualTo(!keyRequired);
        assertThat(p.dialect()).isEqualTo(dialect);
    }

    @Test
    void theTableAboveCoversEveryProvider() {
        assertThat(Provider.values()).hasSize(25);
    }

    @Test
    void localRuntimesDefaultToTheirRuntimesUsualAddress() {
        for (Provider p : Provider.values()) {
            if (p.local() && p != Provider.SIM) {
                assertThat(p.defaultBaseUrl()).as(p.id())
                        .isEqualTo(URI.create(p.backendKind().defaultBaseUrl()));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"hosted_vllm, VLLM", "ollama_chat, OLLAMA", "llama_cpp, LLAMACPP", "lmstudio, LM_STUDIO",
            "dmr, DOCKER_MODEL_RUNNER", "Hosted-VLLM, VLLM", "OpenAI, OPENAI", "together-ai, TOGETHER_AI"})
    void liteLlmSpellingsCaseAndDashesAreAccepted(String prefix, Provider expected) {
        assertThat(Provider.parse(prefix)).isEqualTo(expected);
    }

    @Test
    void everySpellingIsUnique() {
        assertThat(Arrays.stream(Provider.values()).flatMap(p -> p.ids().stream())).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @CsvSource({
        "vllm/meta-llama/Llama-3.1-8B-Instruct, VLLM, meta-llama/Llama-3.1-8B-Instruct",
        "hosted_vllm/Qwen/Qwen2.5-7B-Instruct, VLLM, Qwen/Qwen2.5-7B-Instruct",
        "ollama/llama3.1:8b, OLLAMA, llama3.1:8b",
        "openrouter/anthropic/claude-3.5-sonnet, OPENROUTER, anthropic/claude-3.5-sonnet",
        "docker_model_runner/ai/smollm2, DOCKER_MODEL_RUNNER, ai/smollm2",
        "huggingface/tgi, HUGGINGFACE, tgi",
        "azure/my-gpt-4o-deployment, AZURE, my-gpt-4o-deployment",
        "fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct, FIREWORKS_AI,"
                + " accounts/fireworks/models/llama-v3p1-8b-instruct"
    })
    void theModelIsSplitAtTheFirstSlashOnly(String model, Provider provider, String upstream) {
        assertThat(Provider.splitModel(model)).isEqualTo(new Provider.Model(provider, upstream));
    }

    @Test
    void aModelWithoutAKnownPrefixIsAnErrorNamingTheValidOnes() {
        assertThatThrownBy(() -> Provider.splitModel("gpt-4o"))
                .hasMessageStartingWith("'gpt-4o' has no provider prefix (expected provider/model")
                .hasMessageContaining("vllm, ollama, llamacpp");
        assertThatThrownBy(() -> Provider.splitModel("bedrock/claude"))
                .hasMessage("'bedrock' is not a known provider (expected one of " + Provider.allIds() + ")");
        assertThatThrownBy(() -> Provider.splitModel("vllm/ "))
                .hasMessage("'vllm/ ' names no model after the provider (expected vllm/<model>)");
        assertThat(Provider.allIds()).contains("docker_model_runner", "nvidia_nim", "deepinfra", "azure", "anthropic");
    }

    @Test
    void eachDialectSendsTheKeyInItsOwnHeader() {
        assertThat(WireDialect.OPENAI.keyHeader()).isEqualTo("Authorization");
        assertThat(WireDialect.AZURE.keyHeader()).isEqualTo("api-key");
        assertThat(WireDialect.ANTHROPIC.keyHeader()).isEqualTo("x-api-key");
    }

    @Test
    void urlsFollowTheDialect() {
        assertThat(Provider.azurePath("gpt 4o", "chat/completions", "2024-10-21"))
                .isEqualTo("/openai/deployments/gpt%204o/chat/completions?api-version=2024-10-21");
        Deployment openai = deployment(Provider.GROQ, "llama", null);
        assertThat(openai.url("chat/completions"))
                .isEqualTo(URI.create("https://api.groq.com/openai/v1/chat/completions"));
        Deployment azure = new Deployment("a#1", "a", Provider.AZURE, "gpt-4o",
                URI.create("https://r.openai.azure.com"), "k", "2024-10-21", 1, null, null, null, Map.of());
        assertThat(azure.url("embeddings")).isEqualTo(URI.create(
                "https://r.openai.azure.com/openai/deployments/gpt-4o/embeddings?api-version=2024-10-21"));
        assertThat(deployment(Provider.ANTHROPIC, "claude", null).url("messages"))
                .isEqualTo(URI.create("https://api.anthropic.com/v1/messages"));
    }

    @Test
    void toStringNeverShowsKeys() {
        Deployment d = deployment(Provider.OPENAI, "gpt-4o", "sk-very-secret");

        assertThat(d.toString()).contains("apiKey=***").doesNotContain("sk-very-secret");
        GeneralSettings g = new GeneralSettings("mk-secret", 2, Map.of(), RoutingStrategy.WEIGHTED,
                GeneralSettings.DEFAULT_RETRY_BACKOFF_BASE, GeneralSettings.DEFAULT_RETRY_BACKOFF_MAX,
                GeneralSettings.DEFAULT_RETRY_AFTER_CAP, 0.2, 3, GeneralSettings.DEFAULT_COOLDOWN);
        assertThat(g.toString()).contains("masterKey=***").doesNotContain("mk-secret");
    }

    @Test
    void routingStrategiesAcceptLiteLlmNames() {
        assertThat(RoutingStrategy.parse("simple-shuffle")).isEqualTo(RoutingStrategy.WEIGHTED);
        assertThat(RoutingStrategy.parse("weighted")).isEqualTo(RoutingStrategy.WEIGHTED);
        assertThat(RoutingStrategy.parse("least-busy")).isEqualTo(RoutingStrategy.LEAST_IN_FLIGHT);
        assertThat(RoutingStrategy.parse("LEAST_IN_FLIGHT")).isEqualTo(RoutingStrategy.LEAST_IN_FLIGHT);
        assertThatThrownBy(() -> RoutingStrategy.parse("usage-based-routing"))
                .hasMessageStartingWith("'usage-based-routing' is not a supported routing strategy");
    }

    private static Deployment deployment(Provider p, String model, String key) {
        return new Deployment(model + "#1", model, p, model, p.defaultBaseUrl(), key, null, 1, null, null, null,
                Map.of());
    }
}
