package dev.sluice.config;

import dev.sluice.backend.Provider;
import java.nio.file.Path;
import java.util.List;

/**
 * The one line a person reads when the gateway starts: version, address, what answers (the simulator says it is not
 * a model, so nobody mistakes its fixed text for a broken model), whether keys are checked, and which config file is
 * in force. Never a key (ConfigLoader already refuses a base URL that carries credentials).
 */
public final class StartupLine {
    private StartupLine() {}

    /**
     * @param address where the server listens, as a URL ({@code http://127.0.0.1:8000})
     * @param configFile the config file in force, or null when the environment alone configures the gateway
     */
    public static String of(String version, String address, GatewayConfig gateway, FileConfig file, Path configFile) {
        boolean authOff = StartupCheck.authNotice(gateway, file).off();
        return "sluice " + version + " listening on " + address + " · backend " + backend(gateway, file, configFile)
                + " · auth " + (authOff ? "off" : "on") + " · "
                + (configFile == null ? "no config file" : "config " + configFile);
    }

    private static String backend(GatewayConfig gateway, FileConfig file, Path configFile) {
        List<Provider> providers = file.deployments().stream().map(Deployment::provider).distinct().toList();
        if (providers.equals(List.of(Provider.SIM))) {
            return "sim — not a model";
        }
        if (configFile == null) {
            return gateway.backendKind().id() + " at " + (gateway.backendBaseUrl() == null ? "its default URL"
                    : gateway.backendBaseUrl());
        }
        return file.summary().replaceFirst(", fallbacks:.*", "") + " ("
                + String.join(", ", providers.stream().map(Provider::id).toList()) + ")";
    }
}
