package dev.sluice.observability;

import io.micrometer.core.instrument.Meter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The meters requests record into, looked up by a key of their name and label values instead of registered per
 * request: a builder rebuilds and sorts the meter's id and merges a histogram's settings every time. Keys hold
 * bounded label values only (configured names, route templates, status codes), so this stays bounded too.
 */
final class MeterCache {
    private final Map<Object, Meter> meters = new ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    <M extends Meter> M get(Object key, Supplier<M> register) {
        return (M) meters.computeIfAbsent(key, k -> register.get());
    }
}
