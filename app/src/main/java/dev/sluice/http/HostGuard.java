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

    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-f:.]+");

    /**
     * Dotted-quad IPv4: four decimal parts from 0 to 255 without leading zeros (a leading zero reads as octal to some
     * resolvers). By hand, not by a pattern: it runs on every request, and the regular expression was 2 % of a small
     * request's CPU (docs/PERFORMANCE.md).
     */
    static boolean ipv4(String h) {
        int n = h.length();
        int i = 0;
        for (int part = 1; ; part++) {
            int start = i;
            int v = 0;
            while (i < n && i - start < 3 && h.charAt(i) >= '0' && h.charAt(i) <= '9') {
                v = v * 10 + h.charAt(i++) - '0';
            }
            int len = i - start;
            if (len == 0 || v > 255 || (len > 1 && h.charAt(start) == '0')) {
                return false;
            }
            if (part == 4) {
                return i == n;
            }
            if (i >= n || h.charAt(i) != '.') {
                return false;
            }
            i++;
        }
    }

    private static boolean ipLiteral(String host) {
        if (ipv4(host)) {
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
