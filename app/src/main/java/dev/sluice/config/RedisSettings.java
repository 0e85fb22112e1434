package dev.sluice.config;

import java.time.Duration;

/**
 * Where shared state lives. {@code url} null: everything in process.
 *
 * @param timeout the longest a request waits for a Redis decision (REDIS_TIMEOUT_MS)
 * @param failClosed REDIS_FAILURE_MODE=closed: refuse (503) while Redis is unreachable; open (default): decide
 *     on a local window with each limit divided by {@code replicasHint}
 * @param replicasHint REDIS_REPLICAS_HINT, how many replicas share the limits (fail-open divides by it)
 */
public record RedisSettings(String url, Duration timeout, boolean failClosed, int replicasHint) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(50);

    public static RedisSettings none() {
        return new RedisSettings(null, DEFAULT_TIMEOUT, false, 1);
    }

    public boolean enabled() {
        return url != null;
    }

    /** The URL without a password, for logs. */
    public String safeUrl() {
        if (url == null) {
            return "none";
        }
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        return scheme >= 0 && at > scheme ? url.substring(0, scheme + 3) + "***@" + url.substring(at + 1) : url;
    }

    /** Checks a Redis URL; null when fine, else what is wrong. */
    public static String problem(String url) {
        try {
            java.net.URI u = new java.net.URI(url);
            String s = u.getScheme();
            if (s == null || !(s.equals("redis") || s.equals("rediss")) || u.getHost() == null) {
                return "is not a Redis URL (expected redis://host:port/db or rediss://..., e.g."
                        + " redis://127.0.0.1:6379/0)";
            }
            return null;
        } catch (java.net.URISyntaxException e) {
            return "is not a valid URL (expected e.g. redis://127.0.0.1:6379/0)";
        }
    }
}
