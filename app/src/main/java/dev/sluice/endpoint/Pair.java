package dev.sluice.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.UpstreamCall;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.StreamTranslator;
import dev.sluice.routing.Upstream;
import dev.sluice.translate.AnthropicPassthrough;
import dev.sluice.translate.AnthropicPassthroughStream;
import dev.sluice.translate.AnthropicRequest;
import dev.sluice.translate.AnthropicToOpenAiResponse;
import dev.sluice.translate.AnthropicToOpenAiStream;
import dev.sluice.translate.OpenAiPassthroughResponse;
import dev.sluice.translate.OpenAiPassthroughStream;
import dev.sluice.translate.OpenAiToAnthropicRequest;
import dev.sluice.translate.OpenAiToAnthropicResponse;
import dev.sluice.translate.OpenAiToAnthropicStream;
import dev.sluice.translate.PreparedRequest;
import java.util.Map;

/**
 * One client dialect meeting one deployment's wire, prepared for one attempt: the request is translated once,
 * when the pair is made ({@link Pairs#prepare}); the pair then reads the backend's JSON answer into the client's
 * and makes the stream translator. Which pairs exist is decided in one place, {@link Pairs}.
 */
public sealed interface Pair {
    /** The call to send the deployment. */
    UpstreamCall call();

    /** The client's JSON answer from the deployment's successful body. */
    Answer answer(byte[] body);

    /** A fresh translator from the deployment's event stream to the client's. */
    StreamTranslator translator();

    /** Response headers that tell the client what the translation left out. */
    default Map<String, String> headers() {
        return Map.of();
    }

    /**
     * The client's answer and its token usage.
     *
     * @param promptTokens input tokens, or -1 when the backend reported none
     */
    record Answer(byte[] body, long promptTokens, long completionTokens) {}

    /** OpenAI client, OpenAI-compatible runtime (or Azure): the client's bytes unless something must change. */
    record OpenAiPassthrough(UpstreamCall call, PreparedRequest prepared) implements Pair {
        @Override
        public Answer answer(byte[] body) {
            OpenAiPassthroughResponse.Shaped shaped = OpenAiPassthroughResponse.shape(body, prepared);
            return new Answer(shaped.body(), shaped.promptTokens(), shaped.completionTokens());
        }

        @Override
        public StreamTranslator translator() {
            return new OpenAiPassthroughStream(prepared.clientWantsUsage(), prepared.rewriteModelTo(),
                    prepared.toolIdSeed());
        }
    }

    /** OpenAI chat client, the real Anthropic Messages API (protocols.md §3.3, §3.4, §3.9). */
    record OpenAiToAnthropic(UpstreamCall call, OpenAiToAnthropicRequest.Prepared prepared) implements Pair {
        @Override
        public Answer answer(byte[] body) {
            ObjectNode completion = AnthropicToOpenAiResponse.translate(body, prepared);
            JsonNode usage = completion.path("usage");
            return new Answer(Json.bytes(completion), usage.path("prompt_tokens").asLong(),
                    usage.path("completion_tokens").asLong());
        }

        @Override
        public StreamTranslator translator() {
            return new AnthropicToOpenAiStream(prepared);
        }
    }

    /** Anthropic client, OpenAI-compatible runtime: Messages translated to chat completions and back. */
    record AnthropicToOpenAi(UpstreamCall call, AnthropicRequest prepared, String messageId) implements Pair {
        @Override
        public Answer answer(byte[] body) {
            ObjectNode message = OpenAiToAnthropicResponse.translate(body, prepared);
            return new Answer(Json.bytes(message), inputTokens(message.path("usage")),
                    message.path("usage").path("output_tokens").asLong());
        }

        @Override
        public StreamTranslator translator() {
            return new OpenAiToAnthropicStream(messageId, prepared);
        }

        /** Server tools only the real Anthropic API runs are named, not silently dropped. */
        @Override
        public Map<String, String> headers() {
            return prepared.droppedTools().isEmpty() ? Map.of()
                    : Map.of("x-sluice-dropped-tools", String.join(",", prepared.droppedTools()));
        }
    }

    /** Anthropic client, the real Anthropic API: the client's request with only the model replaced. */
    record AnthropicPassthrough(UpstreamCall call, dev.sluice.translate.AnthropicPassthrough.Prepared prepared)
            implements Pair {
        @Override
        public Answer answer(byte[] body) {
            byte[] out = dev.sluice.translate.AnthropicPassthrough.response(body, prepared);
            JsonNode parsed = Json.tryParse(out);
            JsonNode usage = parsed == null ? null : parsed.path("usage");
            if (usage == null || !usage.isObject()) {
                return new Answer(out, -1, -1);
            }
            return new Answer(out, inputTokens(usage), usage.path("output_tokens").asLong());
        }

        @Override
        public StreamTranslator translator() {
            return new AnthropicPassthroughStream(prepared.clientModel());
        }
    }

    /** Anthropic counts cached input apart from the rest; the gateway's records count every input token. */
    private static long inputTokens(JsonNode usage) {
        return usage.path("input_tokens").asLong() + usage.path("cache_read_input_tokens").asLong()
                + usage.path("cache_creation_input_tokens").asLong();
    }
}
