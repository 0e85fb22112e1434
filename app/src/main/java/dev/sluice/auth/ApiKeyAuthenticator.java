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
 * through timing. The principal it names is the key's position and digest fingerprint, never the key.
 */
public final class ApiKeyAuthenticator {
    private final byte[][] digests;
    private final String[] names;
    private final NamedKey[] named;
    private final Map<String, NamedKey> byName = new HashMap<>();

    /** What a presented key is: its principal, its named key (null for API_KEYS and master_key), or expired. */
    public record Match(String principal, NamedKey key, boolean expired) {}

    public ApiKeyAuthenticator(List<String> keys) {
        this(keys, List.of());
    }

    /** API_KEYS and master_key ({@code keys}), plus the config file's named keys, whose principal is their name. */
    public ApiKeyAuthenticator(List<String> keys, List<NamedKey> namedKeys) {
        int n = keys.size() + namedKeys.size();
        digests = new byte[n][];
        names = new String[n];
        named = new NamedKey[n];
        for (int i = 0; i < keys.size(); i++) {
            digests[i] = sha256(keys.get(i));
            names[i] = "key" + (i + 1) + "-" + HexFormat.of().formatHex(digests[i], 0, 4);
        }
        for (int j = 0; j < namedKeys.size(); j++) {
            int i = keys.size() + j;
            named[i] = namedKeys.get(j);
            digests[i] = named[i].sha256();
            names[i] = named[i].name();
            byName.put(names[i], named[i]);
        }
    }

    /** The named key whose principal this is, or null. */
    public NamedKey named(String principal) {
        return principal == null ? null : byName.get(principal);
    }

    /** The full outcome for a presented key, or null when it matches none. */
    public Match match(String presented) {
        int i = index(presented);
        if (i < 0) {
            return null;
        }
        return new Match(names[i], named[i], named[i] != null && named[i].expiredAt(Instant.now()));
    }

    public boolean enabled() {
        return digests.length > 0;
    }

    /** The principal for a presented key, or null when it matches none. */
    public String authenticate(String presented) {
        Match m = match(presented);
        return m == null || m.expired() ? null : m.principal();
    }

    private int index(String presented) {
        if (presented == null || presented.isEmpty()) {
            return -1;
        }
        byte[] d = sha256(presented);
        int match = -1;
        for (int i = 0; i < digests.length; i++) {
            if (MessageDigest.isEqual(d, digests[i]) && match < 0) {
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

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
