package dev.sluice.translate;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which model names this gateway answers to. With MODEL_NAME set, that name and any MODEL_ALIASES pattern
 * ({@code *} matches anything, e.g. {@code claude-*} for Claude Code) reach the backend as MODEL_NAME;
 * other names are 404. Without MODEL_NAME the client's name is forwarded as is.
 */
public record ModelNames(String configured, List<String> aliases) {

    public ModelNames {
        aliases = List.copyOf(aliases);
    }

    public static ModelNames of(String configured) {
        return new ModelNames(configured, List.of());
    }

    /** Every client name maps to {@code upstream}: a deployment that serves one model whatever its alias. */
    public static ModelNames forUpstream(String upstream) {
        return new ModelNames(upstream, List.of("*"));
    }

    /** The name to send upstream for a client's model name, or null when this gateway does not serve it. */
    public String resolve(String client) {
        if (configured == null) {
            return client;
        }
        if (client == null || client.isEmpty() || configured.equals(client)) {
            return configured;
        }
        for (String a : aliases) {
            if (glob(a).matcher(client).matches()) {
                return configured;
            }
        }
        return null;
    }

    private static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (!re.isEmpty()) {
                re.append(".*");
            }
            re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }
}
