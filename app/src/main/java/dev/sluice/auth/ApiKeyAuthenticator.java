package dev.sluice.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Checks client keys. Keys are held only as SHA-256 digests and every stored digest is compared with
 * {@link MessageDigest#isEqual} on every attempt, so neither a partial match nor the key's position leaks
 * through timing. The principal it names is the key's position and digest fingerprint, never the key.
 */
public final class ApiKeyAuthenticator {
    private final byte[][] digests;
    private final String[] names;

    public ApiKeyAuthenticator(List<String> keys) {
        digests = new byte[keys.size()][];
        names = new String[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            digests[i] = sha256(keys.get(i));
            names[i] = "key" + (i + 1) + "-" + HexFormat.of().formatHex(digests[i], 0, 4);
        }
    }

    public boolean enabled() {
        return digests.length > 0;
    }

    /** The principal for a presented key, or null when it matches none. */
    public String authenticate(String presented) {
        if (presented == null || presented.isEmpty()) {
            return null;
        }
        byte[] d = sha256(presented);
        int match = -1;
        for (int i = 0; i < digests.length; i++) {
            if (MessageDigest.isEqual(d, digests[i]) && match < 0) {
                match = i;
            }
        }
        return match < 0 ? null : names[match];
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
