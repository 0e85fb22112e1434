package dev.sluice.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.config.Budget;
import dev.sluice.config.NamedKey;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A key created through the admin API, as stored. The secret itself is never kept: only its SHA-256 and a hint of its
 * last four characters, so a listing can tell keys apart without revealing them.
 *
 * @param sha256 hex SHA-256 of the current secret
 * @param previousSha256 hex SHA-256 of the secret a rotation replaced; null when none is in its grace period
 * @param previousValidUntil the end of that grace period
 * @param models aliases (globs with {@code *}) the key may use; empty: all
 * @param rpm requests per minute; null: the gateway's default
 * @param tpm tokens per minute; null: none
 * @param expiresAt when the key stops working; null: never
 * @param priority its requests' turn when they wait for a deployment (admission control): higher first; null is 0
 * @param metadata free-form JSON object for the operator (owner, team, ticket)
 * @param budget what the key may spend per UTC day and month; null: no budget
 */
public record AdminKey(String name, String sha256, String previousSha256, Instant previousValidUntil,
        List<String> models, Integer rpm, Integer tpm, Instant expiresAt, Integer priority, ObjectNode metadata,
        Instant createdAt, Instant rotatedAt, String hint, Budget budget) {
    static final ObjectMapper MAPPER = new ObjectMapper();

    public AdminKey {
        models = List.copyOf(models);
        metadata = metadata == null ? MAPPER.createObjectNode() : metadata.deepCopy();
    }

    /** The key as the authenticator and the limit gate see it: the same record as a config file's named key. */
    NamedKey namedKey() {
        return new NamedKey(name, HexFormat.of().parseHex(sha256), rpm, tpm, models, expiresAt, budget,
                priority == null ? 0 : priority);
    }

    /** The secrets that open this key now: the current one, and a replaced one until its grace period ends. */
    List<ApiKeyAuthenticator.Issued> issued(Instant now) {
        NamedKey k = namedKey();
        List<ApiKeyAuthenticator.Issued> out = new ArrayList<>(2);
        out.add(new ApiKeyAuthenticator.Issued(k.sha256(), k, null));
        if (previousSha256 != null && previousValidUntil != null && now.isBefore(previousValidUntil)) {
            out.add(new ApiKeyAuthenticator.Issued(HexFormat.of().parseHex(previousSha256), k, previousValidUntil));
        }
        return out;
    }

    /** What the API shows: everything but the digests. */
    ObjectNode view(Instant now) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("name", name);
        o.put("hint", hint);
        o.set("models", MAPPER.valueToTree(models));
        putNullable(o, "rpm", rpm);
        putNullable(o, "tpm", tpm);
        putNullable(o, "priority", priority);
        if (budget == null) {
            o.putNull("budget");
        } else {
            o.putObject("budget").put("daily", budget.daily()).put("monthly", budget.monthly());
        }
        o.put("expires_at", expiresAt == null ? null : expiresAt.toString());
        o.put("expired", expiresAt != null && !now.isBefore(expiresAt));
        o.set("metadata", metadata.deepCopy());
        o.put("created_at", createdAt.toString());
        o.put("rotated_at", rotatedAt == null ? null : rotatedAt.toString());
        boolean grace = previousValidUntil != null && now.isBefore(previousValidUntil);
        o.put("previous_secret_valid_until", grace ? previousValidUntil.toString() : null);
        return o;
    }

    /** The stored form, digests included (never the secret). */
    ObjectNode toJson() {
        ObjectNode o = view(Instant.EPOCH);
        o.remove("expired");
        o.put("sha256", sha256);
        o.put("previous_sha256", previousSha256);
        o.put("previous_valid_until", previousValidUntil == null ? null : previousValidUntil.toString());
        o.remove("previous_secret_valid_until");
        return o;
    }

    static AdminKey fromJson(JsonNode o) {
        List<String> models = new ArrayList<>();
        o.path("models").forEach(m -> models.add(m.asText()));
        return new AdminKey(o.path("name").asText(), o.path("sha256").asText(), text(o, "previous_sha256"),
                instant(o, "previous_valid_until"), models, integer(o, "rpm"), integer(o, "tpm"),
                instant(o, "expires_at"), integer(o, "priority"),
                o.path("metadata") instanceof ObjectNode m ? m : null, instant(o, "created_at"),
                instant(o, "rotated_at"), text(o, "hint"), budget(o.path("budget")));
    }

    AdminKey rotated(String newSha256, String newHint, Instant now, Instant graceUntil) {
        return new AdminKey(name, newSha256, graceUntil.isAfter(now) ? sha256 : null,
                graceUntil.isAfter(now) ? graceUntil : null, models, rpm, tpm, expiresAt, priority, metadata,
                createdAt, now, newHint, budget);
    }

    private static void putNullable(ObjectNode o, String field, Integer value) {
        if (value == null) {
            o.putNull(field);
        } else {
            o.put(field, value);
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static Integer integer(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.asInt();
    }

    private static Budget budget(JsonNode b) {
        BigDecimal daily = b.path("daily").isNumber() ? b.path("daily").decimalValue() : null;
        BigDecimal monthly = b.path("monthly").isNumber() ? b.path("monthly").decimalValue() : null;
        return daily == null && monthly == null ? null : new Budget(daily, monthly);
    }

    private static Instant instant(JsonNode o, String field) {
        String s = text(o, field);
        return s == null ? null : Instant.parse(s);
    }
}
