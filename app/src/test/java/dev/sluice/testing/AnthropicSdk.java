package dev.sluice.testing;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.ObjectMappers;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** The official anthropic-java SDK (OkHttp) pointed at a gateway, the way Claude Code and SDK users point theirs. */
public final class AnthropicSdk {
    private AnthropicSdk() {}

    /** Sends the key as {@code x-api-key}; no retries, so a test sees the first answer. */
    public static AnthropicClient withApiKey(Gateway gateway, String key) {
        return AnthropicOkHttpClient.builder().baseUrl(gateway.url()).apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
    }

    /** Sends the key as {@code Authorization: Bearer} (what ANTHROPIC_AUTH_TOKEN does). */
    public static AnthropicClient withAuthToken(Gateway gateway, String token) {
        return AnthropicOkHttpClient.builder().baseUrl(gateway.url()).authToken(token).maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
    }

    /** Feeds a whole stream through the SDK's own {@link MessageAccumulator}. */
    public static Message accumulate(StreamResponse<RawMessageStreamEvent> stream) {
        MessageAccumulator acc = MessageAccumulator.create();
        try (stream) {
            stream.stream().forEach(acc::accumulate);
        }
        return acc.message();
    }

    public static JsonNode json(JsonValue value) {
        return ObjectMappers.jsonMapper().valueToTree(value);
    }
}
