package dev.sluice.lambda;

import dev.sluice.config.ConfigException;
import dev.sluice.FileConfigBeans;
import dev.sluice.config.cli.CommandLine;
import dev.sluice.config.FileConfig;
import dev.sluice.config.GatewayConfig;
import dev.sluice.config.RedisSettings;
import dev.sluice.config.StartupCheck;
import dev.sluice.ratelimit.TokenCap;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.context.env.Environment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both buffered handlers share: the Lambda defaults, the configuration check at init, and the application
 * context they run the gateway in. The request flow around the gateway is {@link BufferedHandler}'s.
 */
public final class LambdaGateway {
    /** REQUEST_TIMEOUT_S in Lambda unless set: below API Gateway's 29 s (REST) and 30 s (HTTP API). */
    public static final int DEFAULT_REQUEST_TIMEOUT_S = 25;
    /** LAMBDA_MAX_TOKENS unless set: the cap on the tokens a request may ask for ({@link TokenCap}). */
    public static final int DEFAULT_MAX_TOKENS = 4096;

    private final ApplicationContext context;
    private final LambdaLimits limits;

    private LambdaGateway(ApplicationContext context, LambdaLimits limits) {
        this.context = context;
        this.limits = limits;
    }

    /** The gateway configured from the process environment, as Lambda starts it. */
    public static LambdaGateway fromEnvironment() {
        return start(System::getenv, Map.of(), true);
    }

    /**
     * Validates the variables, then starts the application context (the Netty server is not started).
     *
     * @param env the variables (System::getenv in Lambda)
     * @param properties further properties for the context; tests pass the variables here too, in the
     *                   {@code backend.kind} spelling Micronaut gives environment variables
     * @throws ConfigException naming every variable that is wrong, before anything starts
     */
    public static LambdaGateway start(Function<String, String> env, Map<String, Object> properties) {
        return start(env, properties, false);
    }

    private static LambdaGateway start(Function<String, String> env, Map<String, Object> properties,
            boolean configureLogging) {
        Function<String, String> withDefaults = name -> {
            String v = env.apply(name);
            if ((v == null || v.isBlank()) && name.equals("REQUEST_TIMEOUT_S")) {
                return Integer.toString(DEFAULT_REQUEST_TIMEOUT_S);
            }
            return v;
        };
        List<String> problems = new ArrayList<>();
        GatewayConfig config = null;
        StartupCheck.Checked checked = null;
        try {
            // what `sluice` checks before it serves: the variables, REDIS_*, and the SLUICE_CONFIG file if any
            checked = StartupCheck.run(CommandLine.parse(new String[0], withDefaults), withDefaults);
            config = checked.gateway();
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        } catch (CommandLine.UsageException e) {
            problems.add(e.getMessage());
        }
        TokenCap tokens = null;
        try {
            tokens = TokenCap.fromVariable("LAMBDA_MAX_TOKENS", env.apply("LAMBDA_MAX_TOKENS"), DEFAULT_MAX_TOKENS);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            ConfigException e = new ConfigException(problems);
            // Lambda reports the init error with this message; stderr puts it in the function's log as well
            System.err.println("sluice: " + e.getMessage());
            throw e;
        }
        if (configureLogging) {
            // as Application.main does: logback reads these on its first use, which is below
            System.setProperty("SLUICE_LOG_JSON", Boolean.toString(config.logJson()));
            System.setProperty("SLUICE_LOG_LEVEL", config.logLevel());
        }
        Logger log = LoggerFactory.getLogger(LambdaGateway.class);
        checked.warnings().forEach(w -> log.warn(w));
        if (!config.authEnabled() && (checked.file() == null || !checked.file().general().hasMasterKey())) {
            log.warn("API_KEYS is empty: authentication is OFF and anyone who can reach this function's URL can use"
                    + " the backend. Set API_KEYS=<key>[,<key>...]");
        }
        Map<String, Object> props = new HashMap<>(properties);
        props.putIfAbsent("request.timeout.s", withDefaults.apply("REQUEST_TIMEOUT_S"));
        if (checked.configFile() != null) {
            // FileConfigBeans reads the same, checked, file again inside the context
            props.put(FileConfigBeans.FILE_PROPERTY, checked.configFile().toString());
        }
        ApplicationContextBuilder builder = ApplicationContext.builder()
                .environments(Environment.FUNCTION, "lambda")
                .deduceEnvironment(false)
                .banner(false)
                .properties(props);
        ApplicationContext context = builder.build();
        return new LambdaGateway(context, new LambdaLimits(tokens, config.maxRequestBytes()));
    }

    /**
     * The headers with {@code x-request-id} set to Lambda's request id unless the caller sent one. The gateway
     * adopts it, so its log lines and the {@code x-request-id} response header match Lambda's log; and ids do
     * not come from {@code ThreadLocalRandom}, whose seeder state a SnapStart snapshot would share between
     * every instance restored from it.
     */
    static Map<String, String> withRequestId(Map<String, String> headers, String awsRequestId) {
        Map<String, String> out = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            out.putAll(headers);
        }
        out.putIfAbsent("x-request-id", awsRequestId);
        return new HashMap<>(out);
    }

    /** A header's value, whatever the case of its name; null when absent. */
    static String header(Map<String, String> headers, String name) {
        if (headers == null) {
            return null;
        }
        String v = headers.get(name);
        if (v != null) {
            return v;
        }
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** {@link #withRequestId} for payload 1.0's multi-value headers. */
    static Map<String, List<String>> withRequestIds(Map<String, List<String>> headers, String awsRequestId) {
        if (headers == null) {
            return null;
        }
        Map<String, List<String>> out = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        out.putAll(headers);
        out.putIfAbsent("x-request-id", List.of(awsRequestId));
        return new HashMap<>(out);
    }

    /** The environment-style variables a test gives, as the properties Micronaut would read them as. */
    public static Map<String, Object> asProperties(Map<String, String> env) {
        Map<String, Object> props = new HashMap<>();
        env.forEach((k, v) -> props.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v));
        return props;
    }

    ApplicationContext context() {
        return context;
    }

    /** Starts the context (Lambda init) and says whether limits are shared or per instance. */
    ApplicationContext started() {
        context.start();
        RedisSettings redis = context.getBean(RedisSettings.class);
        if (!redis.enabled()) {
            GatewayConfig config = context.getBean(GatewayConfig.class);
            FileConfig file = context.getBean(FileConfig.class);
            boolean limited = config.rateLimitEnabled()
                    || file.keys().stream().anyMatch(k -> k.rpm() != null || k.tpm() != null)
                    || file.deployments().stream().anyMatch(d -> d.rpm() != null || d.tpm() != null);
            if (limited) {
                LoggerFactory.getLogger(LambdaGateway.class).warn("rate limits are kept in process and in Lambda that is per instance: N warm instances allow"
                        + " up to N times each limit. Set REDIS_URL to share the limits between instances");
            }
        }
        return context;
    }

    LambdaLimits limits() {
        return limits;
    }
}
