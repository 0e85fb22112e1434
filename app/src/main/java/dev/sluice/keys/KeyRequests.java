package dev.sluice.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.Budget;
import dev.sluice.config.Money;
import dev.sluice.error.GatewayException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and checks the bodies of the admin API; every problem is a 400 that names the field and what it expects. */
final class KeyRequests {
    /** Names go into logs, metric-free principals and URLs: a conservative alphabet, and no {@code key<N>}. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern POSITIONAL = Pattern.compile("key[0-9]+(-.*)?");
    private static final Set<String> CREATE_FIELDS = Set.of("name", "models", "rpm", "tpm", "expires_at",
            "ttl_seconds", "priority", "metadata", "budget");
    private static final Set<String> ROTATE_FIELDS = Set.of("grace_seconds");
    private static final Set<String> BUDGET_FIELDS = Set.of("daily", "monthly");
    static final int MAX_METADATA_BYTES = 4096;
    static final Duration DEFAULT_GRACE = Duration.ofHours(24);

    /** What a create asks for, checked. */
    record Create(String name, List<String> models, Integer rpm, Integer tpm, Instant expiresAt, Integer priority,
            ObjectNode metadata, Budget budget) {}

    private KeyRequests() {}

    static Create create(JsonNode body, Instant now) {
        ObjectNode o = object(body, "{\"name\": \"team-a\", \"models\": [\"llama\"], \"rpm\": 60}");
        unknown(o, CREATE_FIELDS);
        String name = name(o.get("name"));
        List<String> models = new ArrayList<>();
        JsonNode m = o.get("models");
        if (m != null && !m.isNull()) {
            if (!m.isArray()) {
                throw GatewayException.invalid("models must be an array of model aliases, e.g. [\"llama\", \"gpt-*\"]",
                        "models");
            }
            for (JsonNode a : m) {
                if (!a.isTextual() || a.asText().isBlank()) {
                    throw GatewayException.invalid("models must hold non-empty alias names (globs with * allowed)",
                            "models");
                }
                models.add(a.asText().trim());
            }
        }
        Integer rpm = positive(o.get("rpm"), "rpm");
        Integer tpm = positive(o.get("tpm"), "tpm");
        JsonNode priorityNode = o.get("priority");
        Integer priority = null;
        if (priorityNode != null && !priorityNode.isNull()) {
            if (!priorityNode.canConvertToInt() || !priorityNode.isIntegralNumber()) {
                throw GatewayException.invalid("priority must be a whole number", "priority");
            }
            priority = priorityNode.asInt();
        }
        Instant expires = expires(o, now);
        ObjectNode metadata = null;
        JsonNode md = o.get("metadata");
        if (md != null && !md.isNull()) {
            if (!(md instanceof ObjectNode mo)) {
                throw GatewayException.invalid("metadata must be a JSON object, e.g. {\"owner\": \"team-a\"}",
                        "metadata");
            }
            if (mo.toString().length() > MAX_METADATA_BYTES) {
                throw GatewayException.invalid("metadata is larger than " + MAX_METADATA_BYTES + " bytes",
                        "metadata");
            }
            metadata = mo;
        }
        return new Create(name, models, rpm, tpm, expires, priority, metadata, budget(o.get("budget")));
    }

    /** The grace period of a rotation: {@code grace_seconds} (0 ends the old secret at once), else 24 hours. */
    static Duration grace(JsonNode body) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            return DEFAULT_GRACE;
        }
        ObjectNode o = object(body, "{\"grace_seconds\": 3600}");
        unknown(o, ROTATE_FIELDS);
        JsonNode g = o.get("grace_seconds");
        if (g == null || g.isNull()) {
            return DEFAULT_GRACE;
        }
        if (!g.isIntegralNumber() || !g.canConvertToLong() || g.asLong() < 0 || g.asLong() > 366L * 86_400) {
            throw GatewayException.invalid("grace_seconds must be a whole number of seconds from 0 to 31622400",
                    "grace_seconds");
        }
        return Duration.ofSeconds(g.asLong());
    }

    static String name(JsonNode n) {
        if (n == null || n.isNull()) {
            throw GatewayException.invalid("name is missing (expected e.g. \"name\": \"team-a\")", "name");
        }
        String s = n.isTextual() ? n.asText() : "";
        if (!NAME.matcher(s).matches()) {
            throw GatewayException.invalid("name must be 1 to 64 letters, digits, '.', '_' or '-', starting with a"
                    + " letter or digit", "name");
        }
        if (POSITIONAL.matcher(s).matches()) {
            throw GatewayException.invalid("name '" + s + "' is reserved: key<N> names the API_KEYS entries", "name");
        }
        return s;
    }

    private static ObjectNode object(JsonNode body, String example) {
        if (!(body instanceof ObjectNode o)) {
            throw GatewayException.invalid("the body must be a JSON object, e.g. " + example, null);
        }
        return o;
    }

    private static void unknown(ObjectNode o, Set<String> allowed) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (f.equals("max_budget") || f.equals("budget_duration")) {
                throw GatewayException.invalid("unknown field '" + f + "': a budget is \"budget\": {\"daily\": 5,"
                        + " \"monthly\": 100}, in US dollars per UTC day and month", f);
            }
            if (!allowed.contains(f)) {
                throw GatewayException.invalid("unknown field '" + f + "' (expected: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")", f);
            }
        }
    }

    /** {@code {"daily": 5, "monthly": 100}}: US dollars per UTC day and month, each above 0, at least one. */
    private static Budget budget(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        String example = " (expected e.g. \"budget\": {\"daily\": 5, \"monthly\": 100}, in US dollars)";
        if (!(n instanceof ObjectNode o)) {
            throw GatewayException.invalid("budget must be a JSON object" + example, "budget");
        }
        unknown(o, BUDGET_FIELDS);
        BigDecimal daily = dollars(o.get("daily"), "budget.daily");
        BigDecimal monthly = dollars(o.get("monthly"), "budget.monthly");
        if (daily == null && monthly == null) {
            throw GatewayException.invalid("budget names neither daily nor monthly" + example, "budget");
        }
        return new Budget(daily, monthly);
    }

    private static BigDecimal dollars(JsonNode n, String field) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || n.decimalValue().signum() <= 0 || n.decimalValue().compareTo(Money.MAX_USD) > 0) {
            throw GatewayException.invalid(field + " must be a number of US dollars above 0 and at most "
                    + Money.MAX_USD.toPlainString(), field);
        }
        return n.decimalValue();
    }

    private static Integer positive(JsonNode n, String field) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1) {
            throw GatewayException.invalid(field + " must be a whole number from 1 to " + Integer.MAX_VALUE, field);
        }
        return n.asInt();
    }

    private static Instant expires(ObjectNode o, Instant now) {
        JsonNode at = o.get("expires_at");
        JsonNode ttl = o.get("ttl_seconds");
        boolean hasAt = at != null && !at.isNull();
        boolean hasTtl = ttl != null && !ttl.isNull();
        if (hasAt && hasTtl) {
            throw GatewayException.invalid("give expires_at or ttl_seconds, not both", "ttl_seconds");
        }
        if (hasTtl) {
            if (!ttl.isIntegralNumber() || !ttl.canConvertToLong() || ttl.asLong() < 1
                    || ttl.asLong() > 100L * 366 * 86_400) {
                throw GatewayException.invalid("ttl_seconds must be a whole number of seconds, at least 1",
                        "ttl_seconds");
            }
            return now.plusSeconds(ttl.asLong());
        }
        if (!hasAt) {
            return null;
        }
        Instant when = instant(at.asText());
        if (when == null) {
            throw GatewayException.invalid("expires_at is not a date or time (expected ISO 8601, e.g. 2026-12-31 or"
                    + " 2026-12-31T18:00:00Z)", "expires_at");
        }
        if (!when.isAfter(now)) {
            throw GatewayException.invalid("expires_at is in the past", "expires_at");
        }
        return when;
    }

    private static Instant instant(String s) {
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException ignored) {
            // try a date
        }
        try {
            return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
