package dev.sluice;

import dev.sluice.config.cli.CommandLine;
import dev.sluice.config.ConfigException;
import dev.sluice.config.GatewayConfig;
import dev.sluice.config.StartupCheck;
import dev.sluice.config.StartupLine;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;
import io.micronaut.runtime.server.EmbeddedServer;
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
        CommandLine commandLine;
        try {
            commandLine = CommandLine.parse(args, System::getenv);
        } catch (CommandLine.UsageException e) {
            System.err.println("sluice: " + e.getMessage());
            System.exit(2);
            return;
        }
        switch (commandLine.command()) {
            case HELP -> System.out.print(CommandLine.usage());
            case VERSION -> System.out.println("sluice " + Version.VERSION);
            case VALIDATE -> System.exit(StartupCheck.validate(commandLine, System::getenv, System.out, System.err));
            case SERVE -> serve(commandLine);
            case KEYS -> System.exit(dev.sluice.keys.KeysCommand.run(commandLine.passThrough(), System::getenv,
                    System.out, System.err));
        }
    }

    private static void serve(CommandLine commandLine) {
        StartupCheck.Checked checked;
        try {
            // validate before anything starts, so a typo in .env or the config file is one clear message, not a
            // stack trace; `sluice validate` prints the same problems
            checked = StartupCheck.run(commandLine, System::getenv);
        } catch (ConfigException e) {
            System.err.println("sluice: " + e.getMessage());
            System.exit(2);
            return;
        }
        StartupCheck.printWarnings(checked.warnings(), System.err);
        GatewayConfig config = checked.gateway();
        if (checked.configFile() != null) {
            // FileConfigBeans reads the same file again inside the context
            System.setProperty(FileConfigBeans.FILE_PROPERTY, checked.configFile().toString());
        }
        // logback reads these on its first use, which is below: normalised, so LOG_JSON=yes works too
        System.setProperty("SLUICE_LOG_JSON", Boolean.toString(logJson(System.getenv("LOG_JSON"), config,
                System.console() != null && System.console().isTerminal())));
        System.setProperty("SLUICE_LOG_LEVEL", config.logLevel());
        StartupCheck.AuthNotice auth = StartupCheck.authNotice(config, checked.file());
        if (auth.off()) {
            LoggerFactory.getLogger(Application.class).warn(auth.message());
        } else {
            LoggerFactory.getLogger(Application.class).info(auth.message());
        }
        ApplicationContext context = Micronaut.build(commandLine.micronautArgs()).mainClass(Application.class)
                .banner(false).start();
        // SIGTERM drains (DRAIN_DELAY_S, DRAIN_TIMEOUT_S) before Micronaut's own shutdown hook stops the server
        context.getBean(dev.sluice.http.Drain.class).handleSigterm();
        String address = context.findBean(EmbeddedServer.class)
                .map(s -> "http://" + hostForUrl(config.apiHost()) + ":" + s.getPort())
                .orElse("http://" + hostForUrl(config.apiHost()) + ":" + config.apiPort());
        LoggerFactory.getLogger(Application.class).info(StartupLine.of(Version.VERSION, address, config,
                checked.file(), checked.configFile()));
    }

    /**
     * JSON logs for collectors, text for a person: an explicit LOG_JSON always wins; without one, text when the
     * process runs on a terminal (./sluice in a shell) and JSON otherwise (a container, a service, a pipe).
     */
    static boolean logJson(String explicit, GatewayConfig config, boolean terminal) {
        return explicit != null && !explicit.isBlank() ? config.logJson() : !terminal;
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
