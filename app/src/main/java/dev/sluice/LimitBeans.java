package dev.sluice;

import dev.sluice.config.env.ConfigLoader;
import dev.sluice.config.env.EnvSettings;
import dev.sluice.config.FileConfig;
import dev.sluice.config.RedisSettings;
import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.budget.BudgetGate;
import dev.sluice.config.GatewayConfig;
import dev.sluice.observability.GatewayMetrics;
import dev.sluice.ratelimit.LimitGate;
import dev.sluice.ratelimit.RequestLimits;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Locale;

/** Shared limits and spend: Redis when REDIS_URL (or general_settings.redis_url) is set, else in process. */
@Factory
public class LimitBeans {
    /**
     * Each REDIS_* variable that is set, else the config file's general_settings.redis_* key, else the default, one
     * setting at a time (config/Precedence).
     */
    @Singleton
    RedisSettings redisSettings(Environment env, FileConfig file) {
        return EnvSettings.redis(name -> env.getProperty(name.toLowerCase(Locale.ROOT).replace('_', '.'),
                String.class).orElse(null), file.redis());
    }

    /**
     * @param clock a context's own clock for the limit windows (tests, which must not wait for a minute boundary);
     *     none in production: the system clock, and Redis' clock for the buckets shared through Redis. Created at
     *     startup ({@link Context}), not at the first request: a replica counts in the others' fallback shares from
     *     the moment it can take traffic, through its heartbeat
     */
    @Context
    @Bean(preDestroy = "close")
    RequestLimits requestLimits(RedisSettings settings, @Nullable Clock clock) {
        return clock == null ? new RequestLimits(settings) : new RequestLimits(settings, clock);
    }

    @Singleton
    LimitGate limitGate(RequestLimits limits, ApiKeyAuthenticator authenticator, GatewayMetrics metrics,
            GatewayConfig config, FileConfig file) {
        return new LimitGate(limits, authenticator, metrics, config, file);
    }

    /**
     * @param clock a context's own clock for the UTC day and month windows (tests); none in production: the system
     *     clock, the same for spend kept in Redis (each replica names the window it adds to)
     */
    @Singleton
    @Bean(preDestroy = "close")
    BudgetGate budgetGate(RedisSettings settings, FileConfig file, ApiKeyAuthenticator authenticator,
            GatewayMetrics metrics, @Nullable Clock clock) {
        return new BudgetGate(settings, file, authenticator, metrics, clock == null ? Clock.systemUTC() : clock);
    }
}
