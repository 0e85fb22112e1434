package dev.sluice.config.file;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A {@code model_list} entry key that belongs to the alias rather than to the deployment ({@code cache:},
 * {@code budget:}): entries of one alias that give it must give the same value; entries that leave it out share the
 * alias's all the same.
 */
final class PerAliasReader {
    private PerAliasReader() {}

    /** @param one reads one entry's value at its path; null when it is bad (and the problem reported) */
    static <T> Map<String, T> read(Map<String, Object> root, ConfigReader r, String key,
            BiFunction<Object, String, T> one) {
        Map<String, T> out = new LinkedHashMap<>();
        Map<String, String> firstPath = new LinkedHashMap<>();
        if (!(root.get("model_list") instanceof List<?> entries)) {
            return out;
        }
        for (int i = 0; i < entries.size(); i++) {
            if (!(entries.get(i) instanceof Map<?, ?> raw) || raw.get(key) == null
                    || !(raw.get("model_name") instanceof String || raw.get("model_name") instanceof Number)) {
                continue;
            }
            String path = ConfigReader.key(ConfigReader.index("model_list", i), key);
            String alias = r.string(raw.get("model_name"), ConfigReader.key(ConfigReader.index("model_list", i),
                    "model_name"));
            if (alias == null) {
                continue;
            }
            T value = one.apply(raw.get(key), path);
            if (value == null) {
                continue;
            }
            T before = out.putIfAbsent(alias, value);
            if (before == null) {
                firstPath.put(alias, path);
            } else if (!before.equals(value)) {
                r.error(path, "differs from " + firstPath.get(alias) + " (expected: every deployment of '" + alias
                        + "' gives the same " + key + ", or leaves it out)");
            }
        }
        return out;
    }
}
