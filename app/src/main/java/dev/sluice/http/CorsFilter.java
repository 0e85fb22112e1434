package dev.sluice.http;

import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.config.GatewayConfig;
import dev.sluice.config.HostAllowList;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.server.netty.NettyHttpRequest;
import java.util.List;

/**
 * CORS for browser clients: off unless CORS_ORIGINS is set; then an exact origin allow-list (no prefix or
 * suffix matching), and {@code *} only without credentials (startup refuses the combination). Before any of that, the
 * {@code Host} must be a name the gateway answers to ({@link HostGuard}, ALLOWED_HOSTS).
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Order(-250)
public final class CorsFilter {
    private static final String EXPOSE = "x-request-id, retry-after, x-ratelimit-limit-requests,"
            + " x-ratelimit-remaining-requests, request-id, x-sluice-budget-remaining";

    private final List<String> origins;
    private final boolean any;
    private final boolean credentials;
    private final HostGuard hosts;

    CorsFilter(GatewayConfig config, HostAllowList allowedHosts, ApiKeyAuthenticator authenticator) {
        this.origins = config.corsOrigins();
        this.any = origins.contains("*");
        this.credentials = config.corsAllowCredentials();
        this.hosts = new HostGuard(allowedHosts, config.apiHost(), authenticator.enabled());
    }

    private String allowed(HttpRequest<?> request) {
        if (origins.isEmpty()) {
            return null;
        }
        String origin = request.getHeaders().getOrigin().orElse(null);
        if (origin == null) {
            return null;
        }
        if (origins.contains(origin)) {
            return origin;
        }
        return any ? "*" : null;
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> preflight(HttpRequest<?> request) {
        String host = request.getHeaders().get("Host");
        // the guard protects a listening socket; behind AWS (lambda/), Host is the API Gateway's own name
        if (request instanceof NettyHttpRequest<?> && !hosts.allows(host)) {
            // DNS rebinding: Host and Origin both name the attacker's domain, so no CORS rule applies
            String shown = host.length() > 100 ? host.substring(0, 100) + "..." : host;
            return ErrorResponses.of(request, GatewayException.of(ErrorKind.PERMISSION, "Host '" + shown
                    + "' is not a name this gateway answers to (a guard against DNS rebinding); use its IP address or"
                    + " localhost, or add the name to ALLOWED_HOSTS"));
        }
        String requestOrigin = request.getHeaders().getOrigin().orElse(null);
        if (requestOrigin != null && !origins.contains(requestOrigin) && !isLocal(originHost(requestOrigin))
                && isLocal(hostOf(request))) {
            // drive-by-localhost guard (Micronaut's own is switched off in application.yml because it ignores
            // CORS_ORIGINS): a page from another site may not drive a gateway reached as localhost unless its
            // exact origin is listed; '*' does not count here, as in Micronaut
            return ErrorResponses.of(request, GatewayException.of(ErrorKind.PERMISSION, "cross-origin request from "
                    + "an origin not listed in CORS_ORIGINS refused (the gateway is reached as localhost)"));
        }
        if (origins.isEmpty() || request.getMethod() != HttpMethod.OPTIONS
                || !request.getHeaders().contains("Access-Control-Request-Method")) {
            return null;
        }
        String origin = allowed(request);
        if (origin == null) {
            return HttpResponse.status(HttpStatus.FORBIDDEN);
        }
        MutableHttpResponse<?> r = HttpResponse.status(HttpStatus.NO_CONTENT);
        r.header("Access-Control-Allow-Origin", origin);
        r.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        String reqHeaders = request.getHeaders().get("Access-Control-Request-Headers");
        if (reqHeaders != null && reqHeaders.matches("[A-Za-z0-9_\\-, ]{1,1000}")) {
            r.header("Access-Control-Allow-Headers", reqHeaders);
        }
        r.header("Access-Control-Max-Age", "600");
        if (credentials) {
            r.header("Access-Control-Allow-Credentials", "true");
        }
        r.header("Vary", "Origin");
        return r;
    }

    private static String hostOf(HttpRequest<?> request) {
        String host = request.getHeaders().get("Host");
        if (host == null) {
            return "";
        }
        host = host.trim().toLowerCase(java.util.Locale.ROOT);
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(1, end);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    private static String originHost(String origin) {
        try {
            String h = java.net.URI.create(origin).getHost();
            return h == null ? "" : h.toLowerCase(java.util.Locale.ROOT).replace("[", "").replace("]", "");
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static boolean isLocal(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    @ResponseFilter
    void headers(HttpRequest<?> request, MutableHttpResponse<?> response) {
        String origin = allowed(request);
        if (origin == null) {
            return;
        }
        response.header("Access-Control-Allow-Origin", origin);
        response.header("Access-Control-Expose-Headers", EXPOSE);
        if (credentials) {
            response.header("Access-Control-Allow-Credentials", "true");
        }
        response.header("Vary", "Origin");
    }
}
