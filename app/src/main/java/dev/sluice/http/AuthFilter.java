package dev.sluice.http;

import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.config.AuthSettings;
import dev.sluice.config.GatewayConfig;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.RequestRecord;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Rejects API calls without a valid key before any body is read or any backend is touched. A refusal closes the
 * connection ({@code Connection: close}), so the rest of a large body is not read and drained for nothing; failed keys
 * are counted per client address ({@link AuthThrottle}). A refused call to the key admin API is audited like the
 * refusals the admin API makes itself.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Order(-200)
public final class AuthFilter {
    private final ApiKeyAuthenticator authenticator;
    private final AuthThrottle throttle;
    private final ClientAddress clientAddress;

    AuthFilter(ApiKeyAuthenticator authenticator, AuthSettings settings, GatewayConfig config) {
        this.authenticator = authenticator;
        this.throttle = new AuthThrottle(settings.failuresPerMinute());
        this.clientAddress = new ClientAddress(config.trustedProxies());
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> authenticate(HttpRequest<?> request) {
        if (!authenticator.enabled() || Routes.isPublic(request.getPath()) || request.getMethod() == HttpMethod.OPTIONS) {
            return null;
        }
        String address = clientAddress.resolve(request.getRemoteAddress(), request.getHeaders().get("X-Forwarded-For"));
        long blocked = throttle.blockedSeconds(address);
        if (blocked > 0) {
            return tooManyFailures(request, blocked, "a throttled address");
        }
        String key = ApiKeyAuthenticator.presentedKey(request.getHeaders().get("x-api-key"),
                request.getHeaders().get("Authorization"));
        if (key == null) {
            return refuse(request, address, "missing API key: send it as 'Authorization: Bearer <key>' or"
                    + " 'x-api-key: <key>'", "no key");
        }
        ApiKeyAuthenticator.Match match = authenticator.match(key);
        if (match == null) {
            return refuse(request, address, "invalid API key: it matches none of the keys in API_KEYS", "an unknown key");
        }
        if (match.expired()) {
            return refuse(request, address, "API key '" + match.principal() + "' has expired",
                    "expired key '" + match.principal() + "'");
        }
        String principal = match.principal();
        if (match.key() != null) {
            request.setAttribute(Attributes.KEY, match.key());
        }
        RequestRecord record = Attributes.record(request);
        if (record != null) {
            record.principal(principal);
        }
        request.setAttribute(Attributes.CALLER, match.key() != null ? "name:" + principal : "key:" + digest(key));
        return null;
    }

    /**
     * Who a keyed caller is to the response cache: the key's SHA-256, not its API_KEYS position, so reordering
     * API_KEYS never hands one key's stored answers (kept in Redis across restarts) to another. It goes only into
     * the cache key's own digest.
     */
    private static String digest(String key) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param who the caller as the audit line of a refused admin call names it, never the key itself */
    private HttpResponse<?> refuse(HttpRequest<?> request, String address, String message, String who) {
        long blocked = throttle.failed(address);
        if (blocked > 0) {
            return tooManyFailures(request, blocked, who);
        }
        GatewayException e = GatewayException.of(ErrorKind.AUTHENTICATION, message);
        AdminKeysController.auditRefused(request, who, e.status());
        return ErrorResponses.of(request, e).header("Connection", "close");
    }

    private static HttpResponse<?> tooManyFailures(HttpRequest<?> request, long seconds, String who) {
        GatewayException e = GatewayException.of(ErrorKind.RATE_LIMITED, "too many requests with a missing or"
                + " invalid API key from this address (AUTH_FAILURES_PER_MINUTE); retry after " + seconds + " s")
                .withHeader("Retry-After", Long.toString(seconds));
        AdminKeysController.auditRefused(request, who, e.status());
        return ErrorResponses.of(request, e).header("Connection", "close");
    }
}
