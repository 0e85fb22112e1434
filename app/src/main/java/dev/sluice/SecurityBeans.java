package dev.sluice;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.HostAllowList;
import dev.sluice.config.RequestCaps;
import dev.sluice.endpoint.RequestBodies;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.util.Locale;

/** Wires what hardens the gateway against hostile input (docs/SECURITY.md): request caps, allowed hosts. */
@Factory
public class SecurityBeans {
    /** MAX_JSON_NODES, MAX_JSON_ARRAY_LENGTH, MAX_MESSAGES, MAX_TOOLS, MAX_OUTPUT_TOKENS. */
    @Singleton
    RequestCaps requestCaps(Environment env) {
        return ConfigLoader.requestCaps(variables(env));
    }

    /** ALLOWED_HOSTS. */
    @Singleton
    HostAllowList allowedHosts(Environment env) {
        return ConfigLoader.allowedHosts(variables(env));
    }

    private static java.util.function.Function<String, String> variables(Environment env) {
        return name -> env.getProperty(name.toLowerCase(Locale.ROOT).replace('_', '.'), String.class).orElse(null);
    }

    @Singleton
    RequestBodies requestBodies(RequestCaps caps) {
        return new RequestBodies(caps);
    }
}
