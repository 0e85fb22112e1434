package dev.sluice.config.env;

import dev.sluice.backend.BackendKind;
import dev.sluice.backend.SimConfig;
import dev.sluice.config.Cidr;
import dev.sluice.config.ConfigException;
import dev.sluice.config.GatewayConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Reads {@link GatewayConfig} from environment-style variables. Every problem is collected, so a
 * user fixing their {@code .env} sees all of them at once, each naming the variable and what it expects. The
 * typed readers here are shared with {@link EnvSettings}, which reads the settings loaded on their own.
 */
public final class ConfigLoader {
    private final Function<String, String> env;
    final List<String> problems = new ArrayList<>();

    ConfigLoader(Function<String, String> env) {
        this.env = env;
    }

    public static GatewayConfig load(Function<String, String> env) {
        return new ConfigLoader(env).build();
    }

    private GatewayConfig build() {
        String host = string("API_HOST", "127.0.0.1");
        int port = integer("API_PORT", 8000, 0, 65535);
        List<String> keys = list("API_KEYS");
        String masterKey = string("SLUICE_MASTER_KEY", null);
        BackendKind kind = backendKind();
        URI baseUrl = baseUrl(kind);
        String backendKey = string("BACKEND_API_KEY", "");
        String model = string("MODEL_NAME", kind == BackendKind.SIM ? "sim" : "");
        List<String> aliases = list("MODEL_ALIASES");
        if (!aliases.isEmpty() && model.isEmpty()) {
            problems.add("MODEL_ALIASES needs MODEL_NAME: aliases name other spellings of the one served model");
        }
        List<String> origins = corsOrigins();
        boolean credentials = bool("CORS_ALLOW_CREDENTIALS", false);
        if (credentials && origins.contains("*")) {
            problems.add("CORS_ALLOW_CREDENTIALS=true cannot be combined with CORS_ORIGINS=*: any web page could"
                    + " call the gateway with the user's cookies; list the exact origins instead");
        }
        boolean rlEnabled = bool("RATE_LIMIT_ENABLED", false);
        int rpm = integer("RATE_LIMIT_RPM", 60, 1, 10_000_000);
        int burst = integer("RATE_LIMIT_BURST", rpm, 1, 10_000_000);
        int retries = integer("NUM_RETRIES", 0, 0, 10);
        Duration requestTimeout = seconds("REQUEST_TIMEOUT_S", 600);
        Duration connectTimeout = seconds("CONNECT_TIMEOUT_S", 5);
        Duration firstByte = seconds("FIRST_BYTE_TIMEOUT_S", min(Duration.ofSeconds(300), requestTimeout));
        Duration idle = seconds("IDLE_TIMEOUT_S", 120);
        Duration keepAlive = seconds("KEEPALIVE_S", 15);
        long maxBytes = integer("MAX_REQUEST_BYTES", 10 * 1024 * 1024, 1024, Integer.MAX_VALUE);
        List<Cidr> proxies = trustedProxies();
        String level = logLevel();
        boolean logJson = bool("LOG_JSON", true);
        boolean logPrompts = bool("LOG_PROMPTS", false);
        boolean metrics = bool("METRICS_ENABLED", true);
        SimConfig sim = new SimConfig(
                millis("SIM_TTFT_MS", 20),
                decimal("SIM_TOKENS_PER_S", 200),
                integer("SIM_EMBEDDING_DIM", 64, 1, 8192));
        // one upstream event, whole in memory: Ollama sends a tool call (a file the model writes) as one event
        int sseMaxEvent = integer("SSE_MAX_EVENT_BYTES", 8 * 1024 * 1024, 64 * 1024,
                256 * 1024 * 1024);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new GatewayConfig(host, port, keys, kind, baseUrl, backendKey, model, aliases, origins, credentials,
                rlEnabled, rpm, burst, retries, requestTimeout, connectTimeout, firstByte, idle, keepAlive, maxBytes,
                proxies, level, logJson, logPrompts, metrics, sim, sseMaxEvent, masterKey);
    }

    String raw(String name) {
        String v = env.apply(name);
        return v == null ? null : v.trim();
    }

    String string(String name, String def) {
        String v = raw(name);
        return v == null || v.isEmpty() ? def : v;
    }

    List<String> list(String name) {
        String v = raw(name);
        if (v == null || v.isEmpty()) {
            return List.of();
        }
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    int integer(String name, int def, long min, long max) {
        return (int) longInteger(name, def, min, max);
    }

    long longInteger(String name, long def, long min, long max) {
        String v = raw(name);
        if (v == null || v.isEmpty()) {
            return def;
        }
        try {
            long n = Long.parseLong(v);
            if (n < min || n > max) {
                problems.add(name + "=" + v + " is out of range (expected: an integer from " + min + " to " + max + ")");
                return def;
            }
            return n;
        } catch (NumberFormatException e) {
            problems.add(name + "=" + v + " is not a whole number (expected: an integer from " + min + " to " + max + ")");
            return def;
        }
    }

    private double decimal(String name, double def) {
        String v = raw(name);
        if (v == null || v.isEmpty()) {
            return def;
        }
        try {
            double d = Double.parseDouble(v);
            if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            problems.add(name + "=" + v + " is not valid (expected: a number >= 0; 0 means unpaced)");
            return def;
        }
    }

    Duration seconds(String name, long def) {
        return seconds(name, Duration.ofSeconds(def));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    Duration seconds(String name, Duration def) {
        String v = raw(name);
        if (v == null || v.isEmpty()) {
            return def;
        }
        try {
            double d = Double.parseDouble(v);
            if (!(d > 0) || d > 86_400) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(Math.round(d * 1000));
        } catch (NumberFormatException e) {
            problems.add(name + "=" + v + " is not valid (expected: seconds, a number > 0 and <= 86400, e.g. 30 or 2.5)");
            return def;
        }
    }

    private Duration millis(String name, long def) {
        int ms = integer(name, (int) def, 0, 600_000);
        return Duration.ofMillis(ms);
    }

    private boolean bool(String name, boolean def) {
        String v = raw(name);
        if (v == null || v.isEmpty()) {
            return def;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> {
                problems.add(name + "=" + v + " is not a boolean (expected: true or false)");
                yield def;
            }
        };
    }

    private BackendKind backendKind() {
        String v = raw("BACKEND_KIND");
        if (v == null || v.isEmpty()) {
            return BackendKind.SIM;
        }
        try {
            return BackendKind.parse(v);
        } catch (IllegalArgumentException e) {
            problems.add("BACKEND_KIND=" + v + " is not a known backend (" + e.getMessage() + ")");
            return BackendKind.SIM;
        }
    }

    private URI baseUrl(BackendKind kind) {
        String v = raw("BACKEND_BASE_URL");
        if (v == null || v.isEmpty()) {
            String def = kind.defaultBaseUrl();
            return def == null ? null : URI.create(def);
        }
        try {
            URI uri = new URI(v);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                problems.add("BACKEND_BASE_URL must be an absolute http:// or https:// URL with a host"
                        + " (e.g. http://127.0.0.1:8000/v1)");
                return null;
            }
            if (uri.getRawUserInfo() != null) {
                problems.add("BACKEND_BASE_URL must not carry credentials; put the key in BACKEND_API_KEY");
                return null;
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                problems.add("BACKEND_BASE_URL must not have a query or fragment (e.g. http://127.0.0.1:8000/v1)");
                return null;
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            while (path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            return new URI(scheme, null, uri.getHost(), uri.getPort(), path.isEmpty() ? null : path, null, null);
        } catch (URISyntaxException e) {
            problems.add("BACKEND_BASE_URL=" + withoutUserInfo(v)
                    + " is not a valid URL (expected e.g. http://127.0.0.1:8000/v1)");
            return null;
        }
    }

    /** The URL as typed, minus any {@code user:password@}: problems are printed, and a password must not be. */
    static String withoutUserInfo(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        return scheme >= 0 && at > scheme ? url.substring(0, scheme + 3) + "***@" + url.substring(at + 1) : url;
    }


    private List<String> corsOrigins() {
        List<String> origins = list("CORS_ORIGINS");
        for (String o : origins) {
            if (!o.equals("*") && !o.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+")) {
                problems.add("CORS_ORIGINS entry '" + o + "' is not an origin (expected: scheme://host[:port] with no"
                        + " path, e.g. https://app.example.com, or *)");
            }
        }
        return origins;
    }

    private List<Cidr> trustedProxies() {
        List<Cidr> out = new ArrayList<>();
        for (String p : list("TRUSTED_PROXIES")) {
            try {
                out.add(Cidr.parse(p));
            } catch (IllegalArgumentException e) {
                problems.add("TRUSTED_PROXIES: " + e.getMessage() + " (expected: comma-separated IPs or CIDR ranges,"
                        + " e.g. 10.0.0.0/8,127.0.0.1)");
            }
        }
        return out;
    }

    private String logLevel() {
        String v = string("LOG_LEVEL", "INFO").toUpperCase(Locale.ROOT);
        if (!List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(v)) {
            problems.add("LOG_LEVEL=" + v + " is not a level (expected: TRACE, DEBUG, INFO, WARN or ERROR)");
            return "INFO";
        }
        return v;
    }
}
