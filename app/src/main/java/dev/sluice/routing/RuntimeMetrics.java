package dev.sluice.routing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.protocol.Json;
import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a runtime's load from its metrics page: Prometheus text (vLLM, SGLang, TGI, llama.cpp's {@code /metrics})
 * or llama.cpp's {@code /slots} JSON. Names differ across runtimes and versions, so each signal has a list of
 * names in order of preference and the first one present wins (vLLM 0.9 publishes both the old
 * {@code gpu_cache_usage_perc} and the new {@code kv_cache_usage_perc}; adding them would count twice).
 * Series of one name are summed (one per engine or model), except cache use, which takes the fullest. Anything
 * unreadable is skipped, never thrown: a bad page means "no signal", and routing falls back to in-flight counts.
 */
public final class RuntimeMetrics {
    static final List<String> RUNNING = List.of("vllm:num_requests_running", "sglang:num_running_reqs",
            "tgi_batch_current_size", "llamacpp:requests_processing");
    static final List<String> WAITING = List.of("vllm:num_requests_waiting", "sglang:num_queue_reqs",
            "tgi_queue_size", "llamacpp:requests_deferred");
    static final List<String> CACHE = List.of("vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc",
            "sglang:token_usage", "llamacpp:kv_cache_usage_ratio");
    private static final Pattern SLOT_BUSY = Pattern.compile("\"is_processing\"\\s*:\\s*true");
    private static final Pattern SLOT = Pattern.compile("\"is_processing\"\\s*:");

    private RuntimeMetrics() {}

    /** The load a page describes, stamped with {@code atNanos} and the gateway's in-flight count then. */
    public static LoadSignal parse(String page, long atNanos, int inFlight) {
        if (page == null) {
            return new LoadSignal(Double.NaN, Double.NaN, Double.NaN, atNanos, inFlight);
        }
        String trimmed = page.stripLeading();
        if (trimmed.startsWith("[")) {
            return slots(trimmed, atNanos, inFlight);
        }
        double[][] found = new double[3][];
        found[0] = new double[RUNNING.size()];
        found[1] = new double[WAITING.size()];
        found[2] = new double[CACHE.size()];
        for (double[] f : found) {
            java.util.Arrays.fill(f, Double.NaN);
        }
        for (String line : trimmed.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int nameEnd = nameEnd(line);
            String name = line.substring(0, nameEnd);
            int which = RUNNING.contains(name) ? 0 : WAITING.contains(name) ? 1 : CACHE.contains(name) ? 2 : -1;
            if (which < 0) {
                continue;
            }
            double v = value(line, nameEnd);
            if (Double.isNaN(v) || Double.isInfinite(v) || v < 0) {
                continue;
            }
            List<String> names = which == 0 ? RUNNING : which == 1 ? WAITING : CACHE;
            int i = names.indexOf(name);
            double prev = found[which][i];
            found[which][i] = Double.isNaN(prev) ? v : which == 2 ? Math.max(prev, v) : prev + v;
        }
        double cache = first(found[2]);
        // vLLM and SGLang publish a fraction; a percentage (> 1) from some other exporter is scaled down
        if (cache > 1) {
            cache = Math.min(1, cache / 100);
        }
        return new LoadSignal(first(found[0]), first(found[1]), cache, atNanos, inFlight);
    }

    /**
     * llama.cpp's {@code GET /slots}: a JSON array of slots, busy ones with {@code "is_processing": true}. The number
     * of slots ({@code -np}) is how many requests it runs at once: the capacity admission control uses when the
     * deployment sets no {@code max_concurrency}.
     */
    private static LoadSignal slots(String json, long atNanos, int inFlight) {
        int busy = count(SLOT_BUSY.matcher(json));
        int slots = count(SLOT.matcher(json));
        return new LoadSignal(busy, Double.NaN, Double.NaN, atNanos, inFlight, slots == 0 ? Double.NaN : slots);
    }

    /**
     * The concurrency limit a runtime's capacity page gives ({@link dev.sluice.backend.BackendProfile.Capacity}):
     * the whole number at the top-level {@code field}, or the length of the array the page is when {@code field} is
     * null; 0 when the page does not say (not JSON, the field absent or null, as SGLang's is when not set at launch).
     */
    static int capacity(String page, String field) {
        try {
            JsonNode json = Json.MAPPER.readTree(page);
            if (field == null) {
                return json != null && json.isArray() ? json.size() : 0;
            }
            JsonNode n = json == null ? null : json.get(field);
            return n != null && n.isIntegralNumber() && n.canConvertToInt() && n.intValue() > 0 ? n.intValue() : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static int count(Matcher m) {
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static double first(double[] byPreference) {
        for (double v : byPreference) {
            if (!Double.isNaN(v)) {
                return v;
            }
        }
        return Double.NaN;
    }

    private static int nameEnd(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
            i++;
        }
        return i;
    }

    /** The sample value after the name and its labels (which may hold quoted braces and spaces). */
    private static double value(String line, int from) {
        int i = from;
        if (i < line.length() && line.charAt(i) == '{') {
            boolean quoted = false;
            for (i++; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted && c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = !quoted;
                } else if (c == '}' && !quoted) {
                    break;
                }
            }
            i++;
        }
        String[] rest = line.substring(Math.min(i, line.length())).trim().split("[ \t]+");
        try {
            return rest.length == 0 || rest[0].isEmpty() ? Double.NaN : Double.parseDouble(rest[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
