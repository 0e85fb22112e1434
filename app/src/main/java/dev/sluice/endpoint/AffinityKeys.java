package dev.sluice.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What identifies a request's conversation, for prefix-affinity routing (docs/ROUTING.md): the same key sends
 * every turn of a conversation to the deployment whose KV cache already holds its prefix. In order: a session
 * header the client sends ({@code x-session-id}); Codex's {@code prompt_cache_key}; Claude Code's
 * {@code metadata.user_id} (which carries its session); else a digest of the conversation's opening (system
 * prompt and first user turn), which every later turn repeats. Only a digest or the client's own identifier
 * leaves here, never prompt text.
 */
public final class AffinityKeys {
    /** The header a client may send to pin its conversation. */
    public static final String SESSION_HEADER = "x-session-id";
    private static final int MAX_KEY = 256;

    private AffinityKeys() {}

    /** The key of a chat-completions, completions or Responses request. */
    public static String openAi(JsonNode json) {
        String explicit = explicit(json);
        if (explicit != null) {
            return explicit;
        }
        StringBuilder opening = new StringBuilder();
        JsonNode messages = json.path("messages");
        if (messages.isArray()) {
            for (JsonNode m : messages) {
                opening.append(m.path("role").asText()).append('\u0000').append(m.path("content")).append('\u0000');
                if (m.path("role").asText().equals("user")) {
                    return digest(opening);
                }
            }
            return opening.isEmpty() ? null : digest(opening);
        }
        // Responses: instructions and the first input item; legacy completions: the prompt
        opening.append(json.path("instructions")).append('\u0000');
        JsonNode input = json.path("input");
        opening.append(input.isArray() && !input.isEmpty() ? input.get(0) : input).append('\u0000');
        opening.append(json.path("prompt"));
        return json.has("input") || json.has("prompt") ? digest(opening) : null;
    }

    /** The key of an Anthropic Messages request. */
    public static String anthropic(JsonNode json) {
        String explicit = explicit(json);
        if (explicit != null) {
            return explicit;
        }
        StringBuilder opening = new StringBuilder().append(json.path("system")).append('\u0000');
        for (JsonNode m : json.path("messages")) {
            if (m.path("role").asText().equals("user")) {
                return digest(opening.append(m.path("content")));
            }
        }
        return null;
    }

    /** Makes the session header, when the client sent one, the key of {@code route}. */
    public static void header(dev.sluice.routing.Route route, String header) {
        if (header != null && !header.isBlank()) {
            String key = "s:" + cut(header.strip());
            route.affinity(() -> key);
        }
    }

    private static String explicit(JsonNode json) {
        JsonNode cacheKey = json.get("prompt_cache_key");
        if (cacheKey != null && cacheKey.isTextual() && !cacheKey.asText().isBlank()) {
            return "k:" + cut(cacheKey.asText());
        }
        JsonNode user = json.path("metadata").get("user_id");
        if (user != null && user.isTextual() && !user.asText().isBlank()) {
            return "u:" + cut(user.asText());
        }
        return null;
    }

    private static String cut(String s) {
        return s.length() > MAX_KEY ? s.substring(0, MAX_KEY) : s;
    }

    private static String digest(CharSequence opening) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(opening.toString().getBytes(StandardCharsets.UTF_8));
            return "h:" + HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
