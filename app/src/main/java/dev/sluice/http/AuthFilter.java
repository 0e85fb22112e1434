package dev.sluice.http;

import dev.sluice.auth.ApiKeyAuthenticator;
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

/** Rejects API calls without a valid key before any body is read or any backend is touched. */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Order(-200)
public final class AuthFilter {
    private final ApiKeyAuthenticator authenticator;

    AuthFilter(ApiKeyAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> authenticate(HttpRequest<?> request) {
        if (!authenticator.enabled() || Routes.isPublic(request.getPath()) || request.getMethod() == HttpMethod.OPTIONS) {
            return null;
        }
        String key = ApiKeyAuthenticator.presentedKey(request.getHeaders().get("x-api-key"),
                request.getHeaders().get("Authorization"));
        if (key == null) {
            return ErrorResponses.of(request, GatewayException.of(ErrorKind.AUTHENTICATION,
                    "missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'"));
        }
        ApiKeyAuthenticator.Match match = authenticator.match(key);
        if (match == null) {
            return ErrorResponses.of(request, GatewayException.of(ErrorKind.AUTHENTICATION,
                    "invalid API key: it matches none of the keys in API_KEYS"));
        }
        if (match.expired()) {
            return ErrorResponses.of(request, GatewayException.of(ErrorKind.AUTHENTICATION,
                    "API key '" + match.principal() + "' has expired"));
        }
        String principal = match.principal();
        RequestRecord record = Attributes.record(request);
        if (record != null) {
            record.principal(principal);
        }
        return null;
    }
}
