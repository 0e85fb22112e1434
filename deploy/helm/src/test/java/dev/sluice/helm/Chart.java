package dev.sluice.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The chart in deploy/helm/sluice, rendered in-process by Helm's own library (helm-java), as
 * {@code helm template} would: no cluster, no helm binary, no network.
 */
final class Chart {
    /** Surefire runs with the module directory as working directory. */
    static final Path DIR = Path.of("sluice");
    static final Path EXAMPLES = Path.of("..", "..", "examples", "kubernetes");
    static final String NAMESPACE = "llm";
    static final YAMLMapper YAML = new YAMLMapper();

    private Chart() {}

    /** One way of installing the chart: a release name, values files in order, then --set pairs. */
    record Install(String label, String release, List<Path> valuesFiles, Map<String, String> sets) {
        static Install defaults() {
            return new Install("default values", "sluice", List.of(), Map.of());
        }

        static Install example(String file) {
            return new Install("examples/kubernetes/" + file, "sluice", List.of(EXAMPLES.resolve(file)), Map.of());
        }

        Install withRelease(String name) {
            return new Install(label + " as release " + name, name, valuesFiles, sets);
        }

        Install with(Path valuesFile) {
            List<Path> files = new ArrayList<>(valuesFiles);
            files.add(valuesFile);
            return new Install(label, release, files, sets);
        }

        Install set(String key, String value) {
            Map<String, String> all = new java.util.LinkedHashMap<>(sets);
            all.put(key, value);
            return new Install(label, release, valuesFiles, all);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** The rendered manifest text, or an exception carrying Helm's message when the chart refuses the values. */
    static String template(Install install) {
        TemplateCommand cmd = new Helm(DIR).template().withName(install.release()).withNamespace(NAMESPACE);
        for (Path f : install.valuesFiles()) {
            cmd = cmd.withValuesFile(f.toAbsolutePath());
        }
        for (Map.Entry<String, String> e : install.sets().entrySet()) {
            cmd = cmd.set(e.getKey(), e.getValue());
        }
        return cmd.call();
    }

    static Rendered render(Install install) {
        return Rendered.parse(template(install));
    }

    /** Helm's message when it refuses to render {@code install}; fails the test when it renders. */
    static String refusal(Install install) {
        try {
            template(install);
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
        throw new AssertionError("the chart rendered " + install + " with " + install.sets()
                + " but should have refused it");
    }

    /** A values file with {@code yaml} in it, for values that --set cannot express (lists, nested maps). */
    static Path values(String yaml) {
        try {
            Path f = Files.createTempFile("sluice-values-", ".yaml");
            f.toFile().deleteOnExit();
            Files.writeString(f, yaml);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The chart's own values.yaml, merged as Helm merges a values file over it (maps deep, lists replaced). */
    static JsonNode effectiveValues(Install install) {
        try {
            ObjectNode merged = (ObjectNode) YAML.readTree(DIR.resolve("values.yaml").toFile());
            for (Path f : install.valuesFiles()) {
                merge(merged, YAML.readTree(f.toFile()));
            }
            return merged;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void merge(ObjectNode into, JsonNode from) {
        from.properties().forEach(e -> {
            JsonNode existing = into.get(e.getKey());
            if (existing instanceof ObjectNode target && e.getValue().isObject()) {
                merge(target, e.getValue());
            } else {
                into.set(e.getKey(), e.getValue());
            }
        });
    }
}
