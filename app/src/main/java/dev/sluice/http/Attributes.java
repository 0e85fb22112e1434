package dev.sluice.http;

import dev.sluice.config.NamedKey;
import dev.sluice.observability.RequestRecord;
import io.micronaut.http.HttpRequest;

/** Request attributes shared between the filters and the controllers. */
final class Attributes {
    static final String RECORD = "sluice.record";
    /** The caller's identity for the response cache (set by AuthFilter; absent without keys). */
    static final String CALLER = "sluice.caller";
    /** The named key the request authenticated with, as configured then (a config reload may change it since). */
    static final String KEY = "sluice.key";

    private Attributes() {}

    static RequestRecord record(HttpRequest<?> request) {
        return request.getAttribute(RECORD, RequestRecord.class).orElse(null);
    }

    /** Whose cache entries a request may see: "" when the gateway has no keys (one tenant). */
    static String caller(HttpRequest<?> request) {
        return request.getAttribute(CALLER, String.class).orElse("");
    }

    static NamedKey key(HttpRequest<?> request) {
        return request.getAttribute(KEY, NamedKey.class).orElse(null);
    }
}
