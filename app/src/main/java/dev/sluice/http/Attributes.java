package dev.sluice.http;

import dev.sluice.observability.RequestRecord;
import io.micronaut.http.HttpRequest;

/** Request attributes shared between the filters and the controllers. */
final class Attributes {
    static final String RECORD = "sluice.record";

    private Attributes() {}

    static RequestRecord record(HttpRequest<?> request) {
        return request.getAttribute(RECORD, RequestRecord.class).orElse(null);
    }
}
