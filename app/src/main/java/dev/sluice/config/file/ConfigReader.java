package dev.sluice.config.file;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads from a parsed config file. Every read names its key path; a bad value becomes a problem (and the
 * read returns null) rather than an exception, so one run reports every mistake in the file. Messages never
 * quote a value read as a secret.
 */
final class ConfigReader {
    private static final Pattern VAR_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");
    private static final String ENV_PREFIX = "os.environ/";

    private final Map<String, Integer> lines;
    private final Map<String, String> scalars;
    private final Function<String, String> env;
    private final List<Problem> errors = new ArrayList<>();
    private final List<Problem> warnings = new ArrayList<>();

    /** A message and the line it is about (0 when unknown), so problems can be listed in file order. */
    private record Problem(int line, String message) {}

    ConfigReader(YamlText.Parsed parsed, Function<String, String> env) {
        this.lines = parsed.lines();
        this.scalars = parsed.scalars();
        this.env = env;
    }

    static String key(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static String index(String parent, int i) {
        return parent + "[" + i + "]";
    }

    private static String parent(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut < 0 ? "" : path.substring(0, cut);
    }

    /** The errors in file order. */
    List<String> errors() {
        return inFileOrder(errors);
    }

    /** The warnings in file order. */
    List<String> warnings() {
        return inFileOrder(warnings);
    }

    private static List<String> inFileOrder(List<Problem> problems) {
        return problems.stream().sorted(Comparator.comparingInt(Problem::line)).map(Problem::message).toList();
    }

    int errorCount() {
        return errors.size();
    }

    void error(String path, String message) {
        errors.add(problem(path, message));
    }

    void warn(String path, String message) {
        warnings.add(problem(path, message));
    }

    private Problem problem(String path, String message) {
        Integer line = null;
        // a missing key has no line of its own: use the nearest enclosing one
        for (String p = path; line == null && !p.isEmpty(); p = parent(p)) {
            line = lines.get(p);
        }
        return new Problem(line == null ? 0 : line,
                (path.isEmpty() ? "" : path + ": ") + message + (line == null ? "" : " [line " + line + "]"));
    }

    /** A mapping, or null when absent (YAML null); anything else is a problem. Keys become strings. */
    Map<String, Object> map(Object value, String path, String example) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> m)) {
            error(path, "expected a mapping, found " + kind(value) + " (e.g. " + example + ")");
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    /** A list, or null when absent; anything else is a problem. */
    List<Object> list(Object value, String path, String example) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> l)) {
            error(path, "expected a list, found " + kind(value) + " (e.g. " + example + ")");
            return null;
        }
        return new ArrayList<>(l);
    }

    /** A scalar as text, trimmed; null when absent or empty. A mapping or list is a problem. */
    String string(Object value, String path) {
        if (value == null) {
            return null;
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            error(path, "expected a single value, found " + kind(value));
            return null;
        }
        // numbers and booleans as written: model_name 3.10 is "3.10", not "3.1"
        String s = value instanceof String text ? text : scalars.getOrDefault(path, String.valueOf(value));
        s = s.trim();
        return s.isEmpty() ? null : s;
    }

    /**
     * A scalar with environment references resolved: the whole value {@code os.environ/NAME}, or {@code ${NAME}}
     * anywhere in it. A referenced variable that is unset or empty is a problem naming the path and the variable.
     *
     * @param secret the value is a key: problems never quote it
     */
    String resolved(Object value, String path, boolean secret) {
        String s = string(value, path);
        if (s == null) {
            return null;
        }
        if (s.startsWith(ENV_PREFIX)) {
            String name = s.substring(ENV_PREFIX.length()).trim();
            if (!VAR_NAME.matcher(name).matches()) {
                error(path, "os.environ/ must be followed by a variable name (e.g. os.environ/OPENAI_API_KEY)");
                return null;
            }
            return variable(name, path, ENV_PREFIX + name);
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        while (true) {
            int start = s.indexOf("${", from);
            if (start < 0) {
                out.append(s, from, s.length());
                break;
            }
            int end = s.indexOf('}', start);
            if (end < 0) {
                error(path, "has '${' with no closing '}' (expected ${VARIABLE_NAME})");
                return null;
            }
            String name = s.substring(start + 2, end).trim();
            if (!VAR_NAME.matcher(name).matches()) {
                error(path, "has a ${...} reference that is not a variable name"
                        + (secret ? "" : " ('" + s.substring(start, end + 1) + "')")
                        + " (expected letters, digits and _, e.g. ${OPENAI_API_KEY})");
                return null;
            }
            String v = variable(name, path, "${" + name + "}");
            if (v == null) {
                return null;
            }
            out.append(s, from, start).append(v);
            from = end + 1;
        }
        String r = out.toString().trim();
        return r.isEmpty() ? null : r;
    }

    private String variable(String name, String path, String reference) {
        String v = env.apply(name);
        if (v == null || v.isBlank()) {
            error(path, "environment variable " + name + " is " + (v == null ? "not set" : "empty")
                    + " (referenced as " + reference + "; set it, or give the value inline)");
            return null;
        }
        return v.trim();
    }

    /** A whole number in [min, max], or null when absent or bad. */
    Integer integer(Object value, String path, long min, long max, String meaning) {
        if (value == null) {
            return null;
        }
        String expected = " (expected: a whole number from " + min + " to " + max + meaning + ")";
        long n;
        if (value instanceof Integer || value instanceof Long) {
            n = ((Number) value).longValue();
        } else if (value instanceof BigInteger) {
            error(path, value + " is out of range" + expected);
            return null;
        } else {
            error(path, show(value) + " is not a whole number" + expected);
            return null;
        }
        if (n < min || n > max) {
            error(path, n + " is out of range" + expected);
            return null;
        }
        return (int) n;
    }

    /** A decimal number in [min, max], or null when absent or bad. */
    Double decimal(Object value, String path, double min, double max, String meaning) {
        if (value == null) {
            return null;
        }
        String expected = " (expected: a number from " + min + " to " + max + meaning + ")";
        if (!(value instanceof Number num)) {
            error(path, show(value) + " is not a number" + expected);
            return null;
        }
        double d = num.doubleValue();
        if (Double.isNaN(d) || d < min || d > max) {
            error(path, show(value) + " is out of range" + expected);
            return null;
        }
        return d;
    }

    /**
     * An amount of US dollars as written (no binary rounding: {@code 0.075} stays 0.075), from 0 (or above 0 when
     * {@code positive}) to {@link dev.sluice.config.Money#MAX_USD}; null when absent or bad.
     */
    BigDecimal money(Object value, String path, boolean positive, String meaning) {
        if (value == null) {
            return null;
        }
        String expected = " (expected: a number of US dollars " + (positive ? "above 0" : "from 0") + " to "
                + dev.sluice.config.Money.MAX_USD.toPlainString() + meaning + ", e.g. 2.50)";
        BigDecimal d;
        try {
            d = value instanceof Number || value instanceof String ? new BigDecimal(value.toString().trim()) : null;
        } catch (NumberFormatException e) {
            d = null;
        }
        if (d == null) {
            error(path, show(value) + " is not a number" + expected);
            return null;
        }
        if (d.signum() < 0 || positive && d.signum() == 0 || d.compareTo(dev.sluice.config.Money.MAX_USD) > 0) {
            error(path, show(value) + " is out of range" + expected);
            return null;
        }
        return d;
    }

    /**
     * A duration: a number of seconds ({@code 30}, {@code 2.5}) or a number with a unit ({@code 250ms}, {@code 10s},
     * {@code 5m}, {@code 1h}). Null when absent or bad.
     */
    Duration duration(Object value, String path, Duration min, Duration max) {
        if (value == null) {
            return null;
        }
        String expected = " (expected: seconds, e.g. 30 or 2.5, or a number with a unit: 250ms, 10s, 5m, 1h)";
        BigDecimal amount;
        String unit = "s";
        if (value instanceof Integer || value instanceof Long || value instanceof Double) {
            amount = new BigDecimal(value.toString());
        } else if (value instanceof String s && DURATION.matcher(s.trim()).matches()) {
            Matcher m = DURATION.matcher(s.trim());
            m.matches();
            amount = new BigDecimal(m.group(1));
            unit = m.group(2) == null ? "s" : m.group(2);
        } else {
            error(path, show(value) + " is not a duration" + expected);
            return null;
        }
        BigDecimal millis = amount.multiply(BigDecimal.valueOf(switch (unit) {
            case "ms" -> 1;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 1_000;
        }));
        if (millis.signum() < 0 || millis.compareTo(BigDecimal.valueOf(max.toMillis())) > 0
                || millis.compareTo(BigDecimal.valueOf(min.toMillis())) < 0) {
            error(path, show(value) + " is out of range (expected: from " + text(min) + " to " + text(max) + ")");
            return null;
        }
        return Duration.ofMillis(millis.setScale(0, RoundingMode.HALF_UP).longValueExact());
    }

    private static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** Warns about each key not in {@code known}, suggesting the nearest known key when one is close. */
    void unknownKeys(Map<String, Object> map, String path, Collection<String> known, String what) {
        for (String k : map.keySet()) {
            if (!known.contains(k)) {
                warn(key(path, k), "unknown key, ignored" + suggestion(k, known) + " (" + what + ": "
                        + String.join(", ", known) + ")");
            }
        }
    }

    /** {@code ; did you mean 'api_base'?} when a known key is within two edits of {@code k}, else empty. */
    static String suggestion(String k, Collection<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : known) {
            int d = distance(k.toLowerCase(Locale.ROOT), candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best == null ? "" : "; did you mean '" + best + "'?";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** A value for a message: quoted text, a number, or the kind of a mapping or list. Never used for secrets. */
    static String show(Object value) {
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            return kind(value);
        }
        if (value instanceof String s) {
            return "'" + (s.length() > 80 ? s.substring(0, 77) + "..." : s) + "'";
        }
        return String.valueOf(value);
    }

    private static String kind(Object value) {
        if (value instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        if (value instanceof String) {
            return "text";
        }
        return value instanceof Boolean ? "a boolean" : "a number";
    }
}
