package dev.sluice.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import dev.sluice.config.NamedKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * Checks client keys. Keys are held only as SHA-256 digests and every stored digest is compared with
 * {@link MessageDigest#isEqual} on every attempt, so neither a partial match nor the key's position leaks
 * through timing. The principal it names is never the key nor anything an outsider could compute from it: a named
 * key's name, or an API_KEYS entry's position ({@code key2}), followed, when KEY_FINGERPRINT_SECRET is set, by a keyed
 * fingerprint: the first 8 hex digits of HMAC-SHA-256(secret, key). (A plain SHA-256 prefix in a log let whoever
 * reads the log confirm a guessed key offline.)
 */
public final class ApiKeyAuthenticator {
    /** One configuration's keys; a config reload swaps the whole table in one write ({@link #replaceWith}). */
    private volatile Keys keys;

    private record Keys(byte[][] digests, String[] names, NamedKey[] named, Map<String, NamedKey> byName) {}

    /**
     * The key admin API's keys, kept apart from the config file's so that a config reload ({@link #replaceWith})
     * leaves them in force; the key store swaps them in one write ({@link #replaceIssued}).
     */
    private volatile IssuedKeys issued = new IssuedKeys(new Issued[0], Map.of());

    private record IssuedKeys(Issued[] entries, Map<String, NamedKey> byName) {}

    /**
     * A secret issued by the key admin API: its SHA-256, the key it opens, and until when it opens it; a secret
     * rotated out has {@code validUntil} set to the end of its grace period, a current one null (the key's own
     * {@code expires} still applies). Past {@code validUntil} the secret matches nothing: it was replaced, not expired.
     */
    public record Issued(byte[] sha256, NamedKey key, Instant validUntil) {}

    /** What a presented key is: its principal, its named key (null for API_KEYS and master_key), or expired. */
    public record Match(String principal, NamedKey key, boolean expired) {}

    public ApiKeyAuthenticator(List<String> keys) {
        this(keys, List.of());
    }

    public ApiKeyAuthenticator(List<String> keys, List<NamedKey> namedKeys) {
        this(keys, namedKeys, null);
    }

    /**
     * API_KEYS and master_key ({@code keys}), plus the config file's named keys, whose principal is their name.
     *
     * @param fingerprintSecret KEY_FINGERPRINT_SECRET, or null to name {@code keys} by position only
     */
    public ApiKeyAuthenticator(List<String> keys, List<NamedKey> namedKeys, String fingerprintSecret) {
        int n = keys.size() + namedKeys.size();
        byte[][] digests = new byte[n][];
        String[] names = new String[n];
        NamedKey[] named = new NamedKey[n];
        Map<String, NamedKey> byName = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            digests[i] = sha256(keys.get(i));
            names[i] = "key" + (i + 1) + (fingerprintSecret == null ? "" : "-" + fingerprint(fingerprintSecret,
                    keys.get(i)));
        }
        for (int j = 0; j < namedKeys.size(); j++) {
            int i = keys.size() + j;
            named[i] = namedKeys.get(j);
            digests[i] = named[i].sha256();
            names[i] = named[i].name();
            byName.put(names[i], named[i]);
        }
        this.keys = new Keys(digests, names, named, Map.copyOf(byName));
    }

    /**
     * Checks keys against {@code next}'s from now on (a config reload): a key added there works on the next
     * request, a key removed is refused. {@code next} is not used afterwards.
     */
    public void replaceWith(ApiKeyAuthenticator next) {
        this.keys = next.keys;
    }

    /**
     * Puts the key admin API's secrets in force, replacing the previous set in one write. A key whose name the config
     * file also uses is left out: the file's key keeps the name (the admin API refuses such a name at create, but a
     * later config reload may add it).
     */
    public void replaceIssued(List<Issued> next) {
        Map<String, NamedKey> fileNames = keys.byName();
        List<Issued> kept = new java.util.ArrayList<>();
        Map<String, NamedKey> byName = new HashMap<>();
        for (Issued i : next) {
            if (!fileNames.containsKey(i.key().name())) {
                kept.add(i);
                byName.put(i.key().name(), i.key());
            }
        }
        this.issued = new IssuedKeys(kept.toArray(Issued[]::new), Map.copyOf(byName));
    }

    /** The named key whose principal this is, or null. */
    public NamedKey named(String principal) {
        if (principal == null) {
            return null;
        }
        NamedKey k = keys.byName().get(principal);
        return k != null ? k : issued.byName().get(principal);
    }

    /** Every named key in force: the config file's, then the key admin API's that the file does not shadow. */
    public List<NamedKey> namedKeys() {
        List<NamedKey> out = new java.util.ArrayList<>();
        for (NamedKey k : keys.named()) {
            if (k != null) {
                out.add(k);
            }
        }
        out.addAll(issued.byName().values());
        return out;
    }

    /** The full outcome for a presented key, or null when it matches none. */
    public Match match(String presented) {
        Keys k = keys;
        int i = index(k, presented);
        Match fromIssued = matchIssued(presented);
        if (i < 0) {
            return fromIssued;
        }
        NamedKey named = k.named()[i];
        return new Match(k.names()[i], named, named != null && named.expiredAt(Instant.now()));
    }

    /** Every issued digest is compared, as in {@link #index}, so the position of a match does not show in timing. */
    private Match matchIssued(String presented) {
        Issued[] entries = issued.entries();
        if (presented == null || presented.isEmpty() || entries.length == 0) {
            return null;
        }
        byte[] d = sha256(presented);
        Instant now = Instant.now();
        Issued found = null;
        for (Issued e : entries) {
            if (MessageDigest.isEqual(d, e.sha256()) && found == null
                    && (e.validUntil() == null || now.isBefore(e.validUntil()))) {
                found = e;
            }
        }
        return found == null ? null : new Match(found.key().name(), found.key(), found.key().expiredAt(now));
    }

    public boolean enabled() {
        return keys.digests().length > 0;
    }

    /** The principal for a presented key, or null when it matches none. */
    public String authenticate(String presented) {
        Match m = match(presented);
        return m == null || m.expired() ? null : m.principal();
    }

    private static int index(Keys k, String presented) {
        if (presented == null || presented.isEmpty()) {
            return -1;
        }
        byte[] d = sha256(presented);
        int match = -1;
        for (int i = 0; i < k.digests().length; i++) {
            if (MessageDigest.isEqual(d, k.digests()[i]) && match < 0) {
                match = i;
            }
        }
        return match;
    }

    /**
     * The key a client sent: {@code x-api-key} (Anthropic SDKs) or {@code Authorization: Bearer}
     * (OpenAI SDKs, Claude Code's ANTHROPIC_AUTH_TOKEN). Null when neither is present.
     */
    public static String presentedKey(String xApiKey, String authorization) {
        if (xApiKey != null && !xApiKey.isBlank()) {
            return xApiKey.trim();
        }
        if (authorization != null) {
            String a = authorization.trim();
            if (a.length() > 7 && a.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
                return a.substring(7).trim();
            }
        }
        return null;
    }

    /** The first 8 hex digits of HMAC-SHA-256(secret, key): the same on every replica that shares the secret. */
    public static String fingerprint(String secret, String key) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(key.getBytes(StandardCharsets.UTF_8)), 0, 4);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
