package dev.sluice.http;

import dev.sluice.config.HostAllowList;
import java.net.InetAddress;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The guard against DNS rebinding: a page whose name the attacker re-points at the gateway's address is same-origin
 * with the gateway in the browser's eyes, so only the {@code Host} it sends gives it away. Accepted: no Host at all
 * (no browser sends that), IP literals (an address cannot be re-pointed), {@code localhost}, and ALLOWED_HOSTS exactly.
 * It applies when the gateway is bound to loopback (the usual target: "only I can reach it") or has no client keys
 * (anyone who reaches it may use it), or when ALLOWED_HOSTS lists names.
 */
final class HostGuard {
    private final HostAllowList allowed;
    private final boolean enforced;

    HostGuard(HostAllowList allowed, String bindHost, boolean authEnabled) {
        this.allowed = allowed;
        this.enforced = !allowed.any() && (loopback(bindHost) || !authEnabled || !allowed.names().isEmpty());
    }

    boolean enforced() {
        return enforced;
    }

    /** Whether a request with this Host header may be served. */
    boolean allows(String hostHeader) {
        if (!enforced || hostHeader == null) {
            return true;
        }
        String host = hostPart(hostHeader.trim().toLowerCase(Locale.ROOT));
        return host.equals("localhost") || ipLiteral(host) || allowed.names().contains(host);
    }

    /** The name without its port; an IPv6 literal without its brackets. */
    static String hostPart(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(1, end);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    // compiled once: String.matches compiles its pattern on every call, and this runs on every request (profiled)
    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-f:.]+");

    private static boolean ipLiteral(String host) {
        if (IPV4.matcher(host).matches()) {
            return true;
        }
        if (!host.contains(":") || !IPV6_CHARS.matcher(host).matches()) {
            return false;
        }
        try {
            InetAddress.ofLiteral(host);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean loopback(String bindHost) {
        String h = bindHost == null ? "" : bindHost.trim().toLowerCase(Locale.ROOT);
        if (h.equals("localhost")) {
            return true;
        }
        try {
            return InetAddress.ofLiteral(h.startsWith("[") ? hostPart(h) : h).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
