package dev.sluice;

import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.config.NamedKey;
import dev.sluice.config.RedisSettings;
import dev.sluice.config.env.ConfigLoader;
import dev.sluice.config.env.EnvSettings;
import dev.sluice.keys.FileKeyStore;
import dev.sluice.keys.KeyAdmin;
import dev.sluice.keys.KeyStore;
import dev.sluice.keys.RedisKeyStore;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.stream.Collectors;

/** The key admin API (docs/KEYS-AND-BUDGETS.md): its store, Redis when set, else a JSON file next to the config. */
@Factory
public class KeyAdminBeans {
    /**
     * Built with the context ({@code @Context} on the reload it reads): keys created earlier work from the first
     * request, not from the first admin call.
     */
    @Singleton
    @io.micronaut.context.annotation.Context
    @Bean(preDestroy = "close")
    KeyAdmin keyAdmin(Environment env, RedisSettings redis, ApiKeyAuthenticator authenticator, ConfigReload reload) {
        KeyStore store = redis.enabled() ? new RedisKeyStore(redis.url(), redis.safeUrl())
                : new FileKeyStore(EnvSettings.keysFile(name -> env.getProperty(
                        name.toLowerCase(Locale.ROOT).replace('_', '.'), String.class).orElse(null),
                        FileConfigBeans.file(env)));
        return new KeyAdmin(store, authenticator, () -> reload.current().general().masterKey(),
                () -> reload.current().keys().stream().map(NamedKey::name).collect(Collectors.toSet()));
    }
}
