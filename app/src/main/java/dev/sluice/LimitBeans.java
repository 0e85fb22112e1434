package dev.sluice;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.FileConfig;
import dev.sluice.config.RedisSettings;
import dev.sluice.ratelimit.RequestLimits;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.util.Locale;

/** Shared limits: Redis when REDIS_URL (or general_settings.redis_url) is set, else in process. */
@Factory
public class LimitBeans {
    /**
     * Each REDIS_* variable that is set, else the config file's general_settings.redis_* key, else the default, one
     * setting at a time (config/Precedence).
     */
    @Singleton
    RedisSettings redisSettings(Environment env, FileConfig file) {
        return ConfigLoader.redis(name -> env.getProperty(name.toLowerCase(Locale.ROOT).replace('_', '.'),
                String.class).orElse(null), file.redis());
    }

    @Singleton
    @Bean(preDestroy = "close")
    RequestLimits requestLimits(RedisSettings settings) {
        return new RequestLimits(settings);
    }
}
