package dev.sluice;

import dev.sluice.config.env.ConfigLoader;
import dev.sluice.config.env.EnvSettings;

import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.config.AuthSettings;
import dev.sluice.config.ConnectionLimits;
import dev.sluice.config.FileConfig;
import dev.sluice.config.GatewayConfig;
import dev.sluice.config.HostAllowList;
import dev.sluice.config.RequestCaps;
import dev.sluice.endpoint.RequestBodies;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Wires what hardens the gateway against hostile input (docs/SECURITY.md): request caps, allowed hosts, client keys. */
@Factory
public class SecurityBeans {
    /** MAX_JSON_NODES, MAX_JSON_ARRAY_LENGTH, MAX_MESSAGES, MAX_TOOLS, MAX_OUTPUT_TOKENS. */
    @Singleton
    RequestCaps requestCaps(Environment env) {
        return EnvSettings.requestCaps(variables(env));
    }

    /** AUTH_FAILURES_PER_MINUTE, KEY_FINGERPRINT_SECRET. */
    @Singleton
    AuthSettings authSettings(Environment env) {
        return EnvSettings.authSettings(variables(env));
    }

    /** API_KEYS, plus the master key when there is one (SLUICE_MASTER_KEY or master_key), and the named keys. */
    @Singleton
    ApiKeyAuthenticator authenticator(GatewayConfig config, FileConfig file, AuthSettings auth) {
        return authenticatorFor(config, file, auth);
    }

    /** The keys of one configuration: at start, and again from the new file on each config reload. */
    static ApiKeyAuthenticator authenticatorFor(GatewayConfig config, FileConfig file, AuthSettings auth) {
        List<String> keys = new ArrayList<>(config.apiKeys());
        if (file.general().hasMasterKey()) {
            keys.add(file.general().masterKey());
        }
        return new ApiKeyAuthenticator(keys, file.keys(), auth.fingerprintSecret());
    }

    /** HEADER_READ_TIMEOUT_S, BODY_READ_TIMEOUT_S, CLIENT_*_TIMEOUT_S, MAX_CONNECTIONS, MAX_HEADERS. */
    @Singleton
    ConnectionLimits connectionLimits(Environment env) {
        return EnvSettings.connectionLimits(variables(env));
    }

    /** ALLOWED_HOSTS. */
    @Singleton
    HostAllowList allowedHosts(Environment env) {
        return EnvSettings.allowedHosts(variables(env));
    }

    private static java.util.function.Function<String, String> variables(Environment env) {
        return name -> env.getProperty(name.toLowerCase(Locale.ROOT).replace('_', '.'), String.class).orElse(null);
    }

    @Singleton
    RequestBodies requestBodies(RequestCaps caps) {
        return new RequestBodies(caps);
    }
}
