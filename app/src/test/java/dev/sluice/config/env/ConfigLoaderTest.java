package dev.sluice.config.env;

import dev.sluice.config.HostAllowList;
import dev.sluice.config.RequestCaps;

import dev.sluice.config.ConfigException;

import dev.sluice.config.GatewayConfig;

import dev.sluice.backend.BackendKind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

public class ConfigLoaderTest {

    public static GatewayConfig load(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return ConfigLoader.load(env::get);
    }

    static List<String> problems(String... pairs) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(pairs));
        assertThat(e).as("expected a ConfigException").isNotNull();
        return e.problems();
    }

    @Test
    void anEmptyEnvironmentGivesTheDocumentedDefaults() {
        GatewayConfig c = load();

        assertThat(c.apiHost()).isEqualTo("127.0.0.1");
        assertThat(c.apiPort()).isEqualTo(8000);
        assertThat(c.apiKeys()).isEmpty();
        assertThat(c.authEnabled()).isFalse();
        assertThat(c.backendKind()).isEqualTo(BackendKind.SIM);
        assertThat(c.backendBaseUrl()).isNull();
        assertThat(c.backendApiKey()).isEmpty();
        assertThat(c.modelName()).isEqualTo("sim");
        assertThat(c.corsOrigins()).isEmpty();
        assertThat(c.corsAllowCredentials()).isFalse();
        assertThat(c.rateLimitEnabled()).isFalse();
        assertThat(c.rateLimitRpm()).isEqualTo(60);
        assertThat(c.rateLimitBurst()).isEqualTo(60);
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.firstByteTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(c.keepAliveInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.maxRequestBytes()).isEqualTo(10 * 1024 * 1024);
        assertThat(c.trustedProxies()).isEmpty();
        assertThat(c.logLevel()).isEqualTo("INFO");
        assertThat(c.logJson()).isTrue();
        assertThat(c.logPrompts()).isFalse();
        assertThat(c.metricsEnabled()).isTrue();
        assertThat(c.sim().timeToFirstToken()).isEqualTo(Duration.ofMillis(20));
        assertThat(c.sim().tokensPerSecond()).isEqualTo(200.0);
        assertThat(c.sim().embeddingDimensions()).isEqualTo(64);
    }

    @Test
    void readsEveryVariableAndTrimsValues() {
        GatewayConfig c = load("API_HOST", " 0.0.0.0 ", "API_PORT", "9000", "API_KEYS", "k1, k2,,",
                "BACKEND_KIND", "vllm", "BACKEND_BASE_URL", "http://gpu-box:8001/v1/", "BACKEND_API_KEY", "bk",
                "MODEL_NAME", "qwen", "CORS_ORIGINS", "https://app.example.com, http://localhost:5173",
                "CORS_ALLOW_CREDENTIALS", "yes", "RATE_LIMIT_ENABLED", "on", "RATE_LIMIT_RPM", "120",
                "RATE_LIMIT_BURST", "10", "REQUEST_TIMEOUT_S", "30", "CONNECT_TIMEOUT_S", "2.5",
                "FIRST_BYTE_TIMEOUT_S", "20", "IDLE_TIMEOUT_S", "60", "KEEPALIVE_S", "5", "MAX_REQUEST_BYTES", "2048",
                "TRUSTED_PROXIES", "10.0.0.0/8, ::1", "LOG_LEVEL", "debug", "LOG_JSON", "false", "LOG_PROMPTS", "1",
                "METRICS_ENABLED", "off", "SIM_TTFT_MS", "0", "SIM_TOKENS_PER_S", "0", "SIM_EMBEDDING_DIM", "8");

        assertThat(c.apiHost()).isEqualTo("0.0.0.0");
        assertThat(c.apiPort()).isEqualTo(9000);
        assertThat(c.apiKeys()).containsExactly("k1", "k2");
        assertThat(c.backendKind()).isEqualTo(BackendKind.VLLM);
        assertThat(c.backendBaseUrl()).isEqualTo(URI.create("http://gpu-box:8001/v1"));
        assertThat(c.backendApiKey()).isEqualTo("bk");
        assertThat(c.modelName()).isEqualTo("qwen");
        assertThat(c.corsOrigins()).containsExactly("https://app.example.com", "http://localhost:5173");
        assertThat(c.corsAllowCredentials()).isTrue();
        assertThat(c.rateLimitEnabled()).isTrue();
        assertThat(c.rateLimitRpm()).isEqualTo(120);
        assertThat(c.rateLimitBurst()).isEqualTo(10);
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.firstByteTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.keepAliveInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.maxRequestBytes()).isEqualTo(2048);
        assertThat(c.trustedProxies()).hasSize(2);
        assertThat(c.logLevel()).isEqualTo("DEBUG");
        assertThat(c.logJson()).isFalse();
        assertThat(c.logPrompts()).isTrue();
        assertThat(c.metricsEnabled()).isFalse();
        assertThat(c.sim().timeToFirstToken()).isZero();
        assertThat(c.sim().tokensPerSecond()).isZero();
        assertThat(c.sim().embeddingDimensions()).isEqualTo(8);
    }

    @Test
    void burstDefaultsToTheRpm() {
        assertThat(load("RATE_LIMIT_RPM", "300").rateLimitBurst()).isEqualTo(300);
    }

    @Test
    void aRealBackendForwardsTheClientsModelUnlessOneIsConfigured() {
        assertThat(load("BACKEND_KIND", "ollama").hasModelName()).isFalse();
        assertThat(load("BACKEND_KIND", "ollama", "MODEL_NAME", "llama3.2").modelName()).isEqualTo("llama3.2");
    }

    @Test
    void theFirstByteTimeoutDefaultsToTheRequestTimeoutWhenThatIsShorter() {
        assertThat(load("REQUEST_TIMEOUT_S", "60").firstByteTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(load("REQUEST_TIMEOUT_S", "2.5").firstByteTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(load("REQUEST_TIMEOUT_S", "0.5").firstByteTimeout())
                .as("a sub-second request timeout must not give a zero first-byte timeout")
                .isEqualTo(Duration.ofMillis(500));
    }

    // --- one bad value at a time: each problem names its variable ---

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "API_PORT               | abc                          | API_PORT=abc",
            "API_PORT               | 65536                        | API_PORT=65536",
            "API_PORT               | -1                           | API_PORT=-1",
            "BACKEND_KIND           | nope                         | BACKEND_KIND=nope",
            "BACKEND_BASE_URL       | ftp://x                      | BACKEND_BASE_URL",
            "BACKEND_BASE_URL       | localhost:8000               | BACKEND_BASE_URL",
            "BACKEND_BASE_URL       | /v1                          | BACKEND_BASE_URL",
            "BACKEND_BASE_URL       | http://h:8000/v1?x=1         | BACKEND_BASE_URL",
            "BACKEND_BASE_URL       | http://h:8000/v1#frag        | BACKEND_BASE_URL",
            "BACKEND_BASE_URL       | http://user:pw@h:8000/v1     | BACKEND_BASE_URL",
            "BACKEND_BASE_URL       | http://h:8000/v 1            | BACKEND_BASE_URL",
            "RATE_LIMIT_RPM         | 0                            | RATE_LIMIT_RPM=0",
            "RATE_LIMIT_BURST       | 0                            | RATE_LIMIT_BURST=0",
            "REQUEST_TIMEOUT_S      | -1                           | REQUEST_TIMEOUT_S=-1",
            "REQUEST_TIMEOUT_S      | 0                            | REQUEST_TIMEOUT_S=0",
            "REQUEST_TIMEOUT_S      | NaN                          | REQUEST_TIMEOUT_S=NaN",
            "REQUEST_TIMEOUT_S      | 86401                        | REQUEST_TIMEOUT_S=86401",
            "CONNECT_TIMEOUT_S      | soon                         | CONNECT_TIMEOUT_S=soon",
            "LOG_LEVEL              | LOUD                         | LOG_LEVEL=LOUD",
            "LOG_JSON               | maybe                        | LOG_JSON=maybe",
            "RATE_LIMIT_ENABLED     | sure                         | RATE_LIMIT_ENABLED=sure",
            "CORS_ORIGINS           | https://app.example.com/     | CORS_ORIGINS",
            "CORS_ORIGINS           | app.example.com              | CORS_ORIGINS",
            "CORS_ORIGINS           | https://a.example.com/path   | CORS_ORIGINS",
            "TRUSTED_PROXIES        | 10.0.0.0/33                  | TRUSTED_PROXIES",
            "TRUSTED_PROXIES        | proxy.internal               | TRUSTED_PROXIES",
            "TRUSTED_PROXIES        | 10.0.0.0/x                   | TRUSTED_PROXIES",
            "MAX_REQUEST_BYTES      | 10                           | MAX_REQUEST_BYTES=10",
            "SIM_TOKENS_PER_S       | -5                           | SIM_TOKENS_PER_S=-5",
            "SIM_EMBEDDING_DIM      | 0                            | SIM_EMBEDDING_DIM=0",
    })
    void aBadValueIsReportedNamingItsVariable(String name, String value, String mentioned) {
        List<String> problems = problems(name, value);

        assertThat(problems).singleElement().asString().contains(mentioned);
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load("API_PORT", "abc",
                "BACKEND_KIND", "nope", "RATE_LIMIT_RPM", "0", "REQUEST_TIMEOUT_S", "-1", "LOG_LEVEL", "LOUD",
                "TRUSTED_PROXIES", "10.0.0.0/8,garbage"));

        assertThat(e.problems()).hasSize(6);
        assertThat(e.getMessage()).contains("API_PORT", "BACKEND_KIND", "RATE_LIMIT_RPM", "REQUEST_TIMEOUT_S",
                "LOG_LEVEL", "TRUSTED_PROXIES");
    }

    @Test
    void credentialsInTheBaseUrlAreRefusedWithoutBeingEchoed() {
        for (String url : List.of("http://admin:hunter2@gpu-box:8000/v1", "http://admin:hunter2@gpu-box:8000/v 1",
                "http://admin:hunter2@gpu box/v1")) {
            List<String> problems = problems("BACKEND_BASE_URL", url);

            assertThat(problems).as(url).singleElement().asString().contains("BACKEND_BASE_URL")
                    .doesNotContain("hunter2");
        }
    }

    @Test
    void corsWildcardWithCredentialsIsRefused() {
        List<String> problems = problems("CORS_ORIGINS", "*", "CORS_ALLOW_CREDENTIALS", "true");

        assertThat(problems).singleElement().asString().contains("CORS_ALLOW_CREDENTIALS", "CORS_ORIGINS=*");
    }

    @Test
    void corsWildcardWithoutCredentialsIsAllowed() {
        assertThat(load("CORS_ORIGINS", "*").corsOrigins()).containsExactly("*");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "vllm, http://127.0.0.1:8000/v1",
            "ollama, http://127.0.0.1:11434/v1",
            "llamacpp, http://127.0.0.1:8080/v1",
            "tgi, http://127.0.0.1:3000/v1",
            "sglang, http://127.0.0.1:30000/v1",
            "localai, http://127.0.0.1:8080/v1",
            "lmstudio, http://127.0.0.1:1234/v1",
            "docker-model-runner, http://127.0.0.1:12434/engines/v1",
            "DOCKER_MODEL_RUNNER, http://127.0.0.1:12434/engines/v1",
            "openai, https://api.openai.com/v1",
    })
    void eachBackendKindHasItsDefaultBaseUrl(String kind, String url) {
        assertThat(load("BACKEND_KIND", kind).backendBaseUrl()).isEqualTo(URI.create(url));
    }

    @Test
    void theSimulatorHasNoBaseUrl() {
        assertThat(load("BACKEND_KIND", "sim").backendBaseUrl()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "HTTP://GPU-Box:8001/v1///, http://GPU-Box:8001/v1",
            "https://h, https://h",
            "http://[::1]:8000/v1, http://[::1]:8000/v1",
    })
    void normalisesTheBaseUrl(String in, String out) {
        assertThat(load("BACKEND_KIND", "vllm", "BACKEND_BASE_URL", in).backendBaseUrl()).isEqualTo(URI.create(out));
    }

    @Test
    void aConfigExceptionListsEachProblemOnItsOwnLine() {
        assertThatThrownBy(() -> load("API_PORT", "x", "LOG_LEVEL", "y"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid configuration:\n  - API_PORT=x")
                .hasMessageContaining("\n  - LOG_LEVEL=Y");
    }

    @Test
    void requestCapsHaveDefaultsThatPassRealTrafficAndRefuseNonsense() {
        assertThat(EnvSettings.requestCaps(name -> null)).isEqualTo(RequestCaps.defaults());
        RequestCaps set = EnvSettings.requestCaps(Map.of("MAX_JSON_NODES", "2000", "MAX_JSON_ARRAY_LENGTH", "500",
                "MAX_MESSAGES", "50", "MAX_TOOLS", "0", "MAX_OUTPUT_TOKENS", "131072")::get);
        assertThat(set).isEqualTo(new RequestCaps(2000, 500, 50, 0, 131072));
        assertThatThrownBy(() -> EnvSettings.requestCaps(Map.of("MAX_JSON_NODES", "10", "MAX_MESSAGES", "many",
                "MAX_OUTPUT_TOKENS", "9223372036854775807")::get))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("MAX_JSON_NODES=10 is out of range")
                .hasMessageContaining("MAX_MESSAGES=many is not a whole number")
                .hasMessageContaining("MAX_OUTPUT_TOKENS=9223372036854775807 is out of range");
    }

    @Test
    void connectionLimitsHaveCarefulDefaultsAndNameTheirVariable() {
        assertThat(EnvSettings.connectionLimits(name -> null)).isEqualTo(dev.sluice.config.ConnectionLimits.defaults());
        var set = EnvSettings.connectionLimits(Map.of("HEADER_READ_TIMEOUT_S", "2.5", "BODY_READ_TIMEOUT_S", "30",
                "CLIENT_IDLE_TIMEOUT_S", "5", "CLIENT_WRITE_TIMEOUT_S", "10", "MAX_CONNECTIONS", "500",
                "MAX_HEADERS", "64")::get);
        assertThat(set).isEqualTo(new dev.sluice.config.ConnectionLimits(java.time.Duration.ofMillis(2500),
                java.time.Duration.ofSeconds(30), java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(10),
                500, 64));
        assertThatThrownBy(() -> EnvSettings.connectionLimits(Map.of("HEADER_READ_TIMEOUT_S", "0",
                "MAX_CONNECTIONS", "lots", "MAX_HEADERS", "2")::get))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HEADER_READ_TIMEOUT_S=0 is not valid")
                .hasMessageContaining("MAX_CONNECTIONS=lots is not a whole number")
                .hasMessageContaining("MAX_HEADERS=2 is out of range");
    }

    @Test
    void allowedHostsAreNamesWithoutSchemeOrPortOrAStar() {
        assertThat(EnvSettings.allowedHosts(name -> null)).isEqualTo(HostAllowList.none());
        assertThat(EnvSettings.allowedHosts(Map.of("ALLOWED_HOSTS", "LLM.example.com, gateway")::get))
                .isEqualTo(new HostAllowList(List.of("llm.example.com", "gateway"), false));
        assertThat(EnvSettings.allowedHosts(Map.of("ALLOWED_HOSTS", "*")::get).any()).isTrue();
        assertThatThrownBy(() -> EnvSettings.allowedHosts(Map.of("ALLOWED_HOSTS",
                "https://llm.example.com,host:8000")::get))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'https://llm.example.com' is not a host name")
                .hasMessageContaining("'host:8000' is not a host name");
    }
}
