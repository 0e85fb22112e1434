package dev.sluice.helm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The objects of one rendering, in the order Helm printed them, with their text for searching. */
record Rendered(String text, List<JsonNode> objects) {
    static Rendered parse(String text) {
        List<JsonNode> objects = new ArrayList<>();
        try (JsonParser parser = Chart.YAML.createParser(text);
                MappingIterator<JsonNode> docs = Chart.YAML.readValues(parser, JsonNode.class)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                // "---" followed by nothing (a template whose condition is off) is an empty document
                if (doc != null && !doc.isNull() && !doc.isMissingNode() && !doc.isEmpty()) {
                    objects.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the chart rendered text that is not YAML", e);
        }
        return new Rendered(text, objects);
    }

    List<String> kinds() {
        return objects.stream().map(o -> o.path("kind").asText()).toList();
    }

    Optional<JsonNode> find(String kind) {
        List<JsonNode> all = all(kind);
        if (all.size() > 1) {
            throw new AssertionError("expected at most one " + kind + ", got " + all.size());
        }
        return all.stream().findFirst();
    }

    JsonNode one(String kind) {
        return find(kind).orElseThrow(() -> new AssertionError("no " + kind + " rendered; kinds: " + kinds()));
    }

    List<JsonNode> all(String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    JsonNode deployment() {
        return one("Deployment");
    }

    JsonNode podSpec() {
        return deployment().path("spec").path("template").path("spec");
    }

    JsonNode container() {
        JsonNode containers = podSpec().path("containers");
        if (containers.size() != 1) {
            throw new AssertionError("expected one container, got " + containers.size());
        }
        return containers.get(0);
    }

    /** The container's variable {@code name}, as its env entry ({@code value} or {@code valueFrom}). */
    Optional<JsonNode> env(String name) {
        for (JsonNode e : container().path("env")) {
            if (e.path("name").asText().equals(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    String envValue(String name) {
        JsonNode e = env(name).orElseThrow(() -> new AssertionError(name + " is not set on the container"));
        if (!e.has("value")) {
            throw new AssertionError(name + " has no literal value: " + e);
        }
        return e.path("value").asText();
    }
}
