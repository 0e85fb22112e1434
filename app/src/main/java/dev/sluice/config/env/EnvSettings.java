package dev.sluice.config.env;

import dev.sluice.config.AuthSettings;
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConnectionLimits;
import dev.sluice.config.DrainSettings;
import dev.sluice.config.HostAllowList;
import dev.sluice.config.RedisSettings;
import dev.sluice.config.RequestCaps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The settings read from environment variables on their own, apart from {@link ConfigLoader#load} (which reads the
 * gateway's core configuration): Redis, body and request caps, drain, connection limits, auth throttling, the config
 * watch, the keys file and allowed hosts. Each reads with {@link ConfigLoader}'s typed readers and throws one
 * {@link ConfigException} listing every problem, each naming its variable.
 */
public final class EnvSettings {
    private EnvSettings() {}

    /**
     * REDIS_URL, REDIS_TIMEOUT_MS, REDIS_FAILURE_MODE and REDIS_REPLICAS_HINT; every problem names its variable.
     * Without REDIS_URL, {@link RedisSettings#url()} is null and limits stay in process.
     */
    public static RedisSettings redis(Function<String, String> env) {
        return redis(env, RedisSettings.none());
    }

    /**
     * The REDIS_* variables over the config file's {@code general_settings.redis_*} ({@link Precedence}): each
     * variable that is set wins over its file key, one setting at a time; {@code file} supplies the rest.
     */
    public static RedisSettings redis(Function<String, String> env, RedisSettings file) {
        ConfigLoader l = new ConfigLoader(env);
        String url = l.string("REDIS_URL", file.url());
        if (url != null && RedisSettings.problem(url) != null) {
            l.problems.add("REDIS_URL=" + ConfigLoader.withoutUserInfo(url) + " " + RedisSettings.problem(url));
        }
        int timeout = l.integer("REDIS_TIMEOUT_MS", (int) file.timeout().toMillis(), 1, 60_000);
        String mode = l.string("REDIS_FAILURE_MODE", file.failClosed() ? "closed" : "open").toLowerCase(Locale.ROOT);
        if (!mode.equals("open") && !mode.equals("closed")) {
            l.problems.add("REDIS_FAILURE_MODE=" + mode + " is not a mode (expected: open or closed)");
        }
        int hint = l.integer("REDIS_REPLICAS_HINT", file.replicasHint(), 1, 10_000);
        if (!l.problems.isEmpty()) {
            throw new ConfigException(l.problems);
        }
        return new RedisSettings(url, Duration.ofMillis(timeout), mode.equals("closed"), hint);
    }

    /**
     * MAX_UPSTREAM_BODY_BYTES: the largest non-streamed answer the gateway buffers from a runtime (default
     * {@link dev.sluice.backend.BodySink#DEFAULT_MAX_BUFFERED_BYTES}); a larger one is a 502.
     */
    public static int maxUpstreamBodyBytes(Function<String, String> env) {
        ConfigLoader l = new ConfigLoader(env);
        int bytes = l.integer("MAX_UPSTREAM_BODY_BYTES", dev.sluice.backend.BodySink.DEFAULT_MAX_BUFFERED_BYTES,
                64 * 1024, 1024 * 1024 * 1024);
        if (!l.problems.isEmpty()) {
            throw new ConfigException(l.problems);
        }
        return bytes;
    }

    /**
     * MAX_JSON_NODES, MAX_JSON_ARRAY_LENGTH, MAX_MESSAGES, MAX_TOOLS and MAX_OUTPUT_TOKENS: what one request body may
     * cost ({@link RequestCaps}); every problem names its variable.
     */
    public static RequestCaps requestCaps(Function<String, String> env) {
        ConfigLoader l = new ConfigLoader(env);
        int nodes = l.integer("MAX_JSON_NODES", RequestCaps.DEFAULT_MAX_JSON_NODES, 1_000, 100_000_000);
        int array = l.integer("MAX_JSON_ARRAY_LENGTH", RequestCaps.DEFAULT_MAX_JSON_ARRAY_LENGTH, 100, 100_000_000);
        int messages = l.integer("MAX_MESSAGES", RequestCaps.DEFAULT_MAX_MESSAGES, 1, 10_000_000);
        int tools = l.integer("MAX_TOOLS", RequestCaps.DEFAULT_MAX_TOOLS, 0, 1_000_000);
        long outputTokens = l.longInteger("MAX_OUTPUT_TOKENS", RequestCaps.DEFAULT_MAX_OUTPUT_TOKENS, 1,
                RequestCaps.MAX_OUTPUT_TOKENS_CEILING);
        if (!l.problems.isEmpty()) {
            throw new ConfigException(l.problems);
        }
        return new RequestCaps(nodes, array, messages, tools, outputTokens);
    }

    /** DRAIN_DELAY_S and DRAIN_TIMEOUT_S ({@link DrainSettings}); 0 is a valid delay, not a valid timeout. */
    public static DrainSettings drain(Function<String, String> env) {
        ConfigLoader l = new ConfigLoader(env);
        Duration timeout = l.seconds("DRAIN_TIMEOUT_S", DrainSettings.DEFAULT_TIMEOUT_S);
        String rawDelay = l.raw("DRAIN_DELAY_S");
        // a delay of 0 is meaningful (Kubernetes' preStop sleep already did the waiting); seconds() refuses 0
        Duration delay = rawDelay != null && rawDelay.strip().matches("0+(\\.0*)?") ? Duration.ZERO
                : l.seconds("DRAIN_DELAY_S", DrainSettings.DEFAULT_DELAY_S);
        if (!l.problems.isEmpty()) {
            throw new ConfigException(l.problems);
        }
        return new DrainSettings(delay, timeout);
    }

    /**
     * HEADER_READ_TIMEOUT_S, BODY_READ_TIMEOUT_S, CLIENT_IDLE_TIMEOUT_S, CLIENT_WRITE_TIMEOUT_S, MAX_CONNECTIONS and
     * MAX_HEADERS: what one client connection may hold and for how long ({@link ConnectionLimits}).
     */
    public static ConnectionLimits connectionLimits(Function<String, String> env) {
        ConfigLoader l = new ConfigLoader(env);
        Duration header = l.seconds("HEADER_READ_TIMEOUT_S", ConnectionLimits.DEFAULT_HEADER_READ_TIMEOUT);
        Duration body = l.seconds("BODY_READ_TIMEOUT_S", ConnectionLimits.DEFAULT_BODY_READ_TIMEOUT);
        Duration idle = l.seconds("CLIENT_IDLE_TIMEOUT_S", ConnectionLimits.DEFAULT_IDLE_TIMEOUT);
        Duration write = l.seconds("CLIENT_WRITE_TIMEOUT_S", ConnectionLimits.DEFAULT_WRITE_TIMEOUT);
        int connections = l.integer("MAX_CONNECTIONS", ConnectionLimits.DEFAULT_MAX_CONNECTIONS, 1, 10_000_000);
        int headers = l.integer("MAX_HEADERS", ConnectionLimits.DEFAULT_MAX_HEADERS, 8, 100_000);
        if (!l.problems.isEmpty()) {
            throw new ConfigException(l.problems);
        }
        return new ConnectionLimits(header, body, idle, write, connections, headers);
    }

    /** AUTH_FAILURES_PER_MINUTE and KEY_FINGERPRINT_SECRET; problems never quote the secret. */
    public static AuthSettings authSettings(Function<String, String> env) {
        ConfigLoader l = new ConfigLoader(env);
        int failures = l.integer("AUTH_FAILURES_PER_MINUTE", AuthSettings.DEFAULT_FAILURES_PER_MINUTE, 0, 1_000_000);
        String secret = l.raw("KEY_FINGERPRINT_SECRET");
        if (secret != null && secret.isEmpty()) {
            secret = null;
        }
        if (secret != null && secret.length() < 16) {
            l.problems.add("KEY_FINGERPRINT_SECRET is " + secret.length() + " characters long (expected: at least 16,"
                    + " e.g. the output of openssl rand -hex 32)");
        }
        if (!l.problems.isEmpty()) {
            throw new ConfigException(l.problems);
        }
        return new AuthSettings(failures, secret);
    }

    /**
     * CONFIG_WATCH_MS: how often the config file is checked for changes (a reload when its content changed); 0 turns
     * the watch off, leaving SIGHUP as the only trigger.
     */
    public static java.time.Duration configWatch(Function<String, String> env) {
        ConfigLoader l = new ConfigLoader(env);
        int ms = l.integer("CONFIG_WATCH_MS", 1_000, 0, 3_600_000);
        if (!l.problems.isEmpty()) {
            throw new ConfigException(l.problems);
        }
        return java.time.Duration.ofMillis(ms);
    }

    /**
     * KEYS_FILE: the JSON file the key admin API keeps its keys in when no Redis is set; unset: {@code
     * <config file name>.keys.json} next to the config file, or none (keys in memory) without a config file.
     */
    public static java.nio.file.Path keysFile(Function<String, String> env, java.nio.file.Path configFile) {
        String v = env.apply("KEYS_FILE");
        if (v != null && !v.isBlank()) {
            try {
                return java.nio.file.Path.of(v.trim());
            } catch (java.nio.file.InvalidPathException e) {
                throw new ConfigException(List.of("KEYS_FILE '" + v + "' is not a valid file name ("
                        + e.getReason() + ")"));
            }
        }
        if (configFile == null) {
            return null;
        }
        String name = configFile.getFileName().toString();
        int dot = name.lastIndexOf('.');
        java.nio.file.Path dir = configFile.toAbsolutePath().getParent();
        return dir.resolve((dot > 0 ? name.substring(0, dot) : name) + ".keys.json");
    }

    /** ALLOWED_HOSTS: comma-separated host names (no scheme, no port), or {@code *} for any. */
    public static HostAllowList allowedHosts(Function<String, String> env) {
        ConfigLoader l = new ConfigLoader(env);
        List<String> names = new ArrayList<>();
        boolean any = false;
        for (String h : l.list("ALLOWED_HOSTS")) {
            if (h.equals("*")) {
                any = true;
            } else if (h.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")) {
                names.add(h.toLowerCase(Locale.ROOT));
            } else {
                l.problems.add("ALLOWED_HOSTS entry '" + h + "' is not a host name (expected names such as"
                        + " llm.example.com,gateway.internal without scheme or port, or * for any)");
            }
        }
        if (!l.problems.isEmpty()) {
            throw new ConfigException(l.problems);
        }
        return new HostAllowList(names, any);
    }
}
