package dev.sluice;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.GatewayConfig;
import io.micronaut.runtime.Micronaut;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import org.slf4j.LoggerFactory;

@OpenAPIDefinition(info = @Info(title = "Sluice", version = Version.VERSION,
        description = "Self-hosted LLM gateway: the OpenAI API in front of vLLM, Ollama, llama.cpp, TGI, SGLang,"
                + " LocalAI, LM Studio, Docker Model Runner or any OpenAI-compatible URL.",
        license = @License(name = "Apache-2.0")))
public final class Application {
    private Application() {}

    public static void main(String[] args) {
        GatewayConfig config;
        try {
            // validate before anything starts, so a typo in .env is one clear message, not a stack trace
            config = ConfigLoader.load(System::getenv);
        } catch (ConfigException e) {
            System.err.println("sluice: " + e.getMessage());
            System.exit(2);
            return;
        }
        // logback reads these on its first use, which is below: normalised, so LOG_JSON=yes works too
        System.setProperty("SLUICE_LOG_JSON", Boolean.toString(config.logJson()));
        System.setProperty("SLUICE_LOG_LEVEL", config.logLevel());
        if (!config.authEnabled()) {
            LoggerFactory.getLogger(Application.class).warn("API_KEYS is empty: authentication is OFF and anyone who"
                    + " can reach {}:{} can use the backend. Set API_KEYS=<key>[,<key>...] before exposing it.",
                    config.apiHost(), config.apiPort());
        }
        Micronaut.build(args).mainClass(Application.class).banner(false).start();
    }
}
