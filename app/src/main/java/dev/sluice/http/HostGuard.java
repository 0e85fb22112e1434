package dev.sluice.http;

import dev.sluice.config.HostAllowList;
import java.net.InetAddress;
import java.util.Locale;

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

    private static boolean ipLiteral(String host) {
        if (host.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}")) {
            return true;
        }
        if (!host.contains(":") || !host.matches("[0-9a-f:.]+")) {
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
