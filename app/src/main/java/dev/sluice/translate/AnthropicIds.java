package dev.sluice.translate;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Message ids, tool-call ids and tool names as Anthropic clients need them (protocols.md §3.7, rule 7). */
public final class AnthropicIds {
    private static final Pattern VALID_TOOL_ID = Pattern.compile("^[a-zA-Z0-9_-]+$");
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** OpenAI-style function names are capped at 64 characters. */
    static final int MAX_TOOL_NAME = 64;

    private AnthropicIds() {}

    public static String messageId() {
        StringBuilder sb = new StringBuilder("msg_");
        for (int i = 0; i < 24; i++) {
            sb.append(BASE62.charAt(RANDOM.nextInt(62)));
        }
        return sb.toString();
    }

    public static boolean validToolId(String id) {
        return id != null && VALID_TOOL_ID.matcher(id).matches();
    }

    /**
     * A deterministic Anthropic id for an upstream tool call that has none, an illegal one
     * ({@code functions.Bash:0}) or a duplicate (TGI sends "0" for every call).
     */
    public static String mintToolId(String seed, int index, String upstreamId) {
        return "toolu_" + base62(sha256(seed + "|" + index + "|" + (upstreamId == null ? "" : upstreamId))).substring(0, 24);
    }

    /**
     * A 9-character alphanumeric id derived from an Anthropic id, as vLLM's Mistral tokenizer requires; an id
     * that already has that form is kept, so ids the runtime minted come back to it unchanged.
     */
    public static String mistralToolId(String anthropicId) {
        if (anthropicId.matches("[A-Za-z0-9]{9}")) {
            return anthropicId;
        }
        return base62(sha256(anthropicId)).substring(0, 9);
    }

    /** Long tool names become {@code <55 chars>_<8 hex of sha256>}, which stays unique and reversible per request. */
    public static String upstreamToolName(String name) {
        if (name.length() <= MAX_TOOL_NAME) {
            return name;
        }
        return name.substring(0, 55) + "_" + HexFormat.of().formatHex(sha256(name), 0, 4);
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String base62(byte[] bytes) {
        BigInteger n = new BigInteger(1, bytes);
        BigInteger b = BigInteger.valueOf(62);
        StringBuilder sb = new StringBuilder();
        while (n.signum() > 0) {
            BigInteger[] qr = n.divideAndRemainder(b);
            sb.append(BASE62.charAt(qr[1].intValue()));
            n = qr[0];
        }
        while (sb.length() < 24) {
            sb.append('0');
        }
        return sb.toString();
    }
}
