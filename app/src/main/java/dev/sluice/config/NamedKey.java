package dev.sluice.config;

import java.time.Instant;
import java.util.List;

/**
 * A named client key from the config file's {@code keys:} list. Only the SHA-256 digest of the secret is kept;
 * logs and metrics show {@code name}.
 *
 * @param rpm requests per minute for this key; null: RATE_LIMIT_RPM when rate limiting is on, else none
 * @param tpm tokens per minute for this key; null: none
 * @param models aliases (globs with {@code *}) the key may use; empty: all
 * @param expires when the key stops working; null: never
 * @param budget what the key may spend per UTC day and month; null: no budget
 * @param priority its requests' turn when they wait for a deployment (admission control): higher first; 0 default
 */
public record NamedKey(String name, byte[] sha256, Integer rpm, Integer tpm, List<String> models, Instant expires,
        Budget budget, int priority) {
    public NamedKey {
        models = List.copyOf(models);
    }

    /** Without a budget, at priority 0. */
    public NamedKey(String name, byte[] sha256, Integer rpm, Integer tpm, List<String> models, Instant expires) {
        this(name, sha256, rpm, tpm, models, expires, null, 0);
    }

    /** At priority 0. */
    public NamedKey(String name, byte[] sha256, Integer rpm, Integer tpm, List<String> models, Instant expires,
            Budget budget) {
        this(name, sha256, rpm, tpm, models, expires, budget, 0);
    }

    /** Whether this key may call {@code alias}. */
    public boolean allows(String alias) {
        if (models.isEmpty()) {
            return true;
        }
        for (String m : models) {
            if (m.equals(alias) || m.contains("*") && glob(m, alias)) {
                return true;
            }
        }
        return false;
    }

    public boolean expiredAt(Instant now) {
        return expires != null && !now.isBefore(expires);
    }

    private static boolean glob(String pattern, String s) {
        StringBuilder re = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (!re.isEmpty()) {
                re.append(".*");
            }
            re.append(java.util.regex.Pattern.quote(part));
        }
        return s != null && s.matches(re.toString());
    }
}
