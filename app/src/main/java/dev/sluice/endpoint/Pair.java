package dev.sluice.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.UpstreamCall;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.StreamTranslator;
import dev.sluice.protocol.StreamUsage;
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
import dev.sluice.translate.ChainedStream;
import dev.sluice.translate.OpenAiToResponsesResponse;
import dev.sluice.translate.OpenAiToResponsesStream;
import dev.sluice.translate.PreparedRequest;
import dev.sluice.translate.ResponsesCompaction;
import dev.sluice.translate.ResponsesCompactionStream;
import dev.sluice.translate.ResponsesIds;
import dev.sluice.translate.ResponsesPassthroughStream;
import dev.sluice.translate.ResponsesRequest;
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
     * @param cachedTokens of those, the ones read from the runtime's prompt cache
     */
    record Answer(byte[] body, long promptTokens, long completionTokens, long cachedTokens) {
        Answer(byte[] body, long promptTokens, long completionTokens) {
            this(body, promptTokens, completionTokens, 0);
        }
    }

    /** OpenAI client, OpenAI-compatible runtime (or Azure): the client's bytes unless something must change. */
    record OpenAiPassthrough(UpstreamCall call, PreparedRequest prepared) implements Pair {
        @Override
        public Answer answer(byte[] body) {
            OpenAiPassthroughResponse.Shaped shaped = OpenAiPassthroughResponse.shape(body, prepared);
            return new Answer(shaped.body(), shaped.promptTokens(), shaped.completionTokens(), shaped.cachedTokens());
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
                    usage.path("completion_tokens").asLong(), StreamUsage.cached(usage));
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
                    message.path("usage").path("output_tokens").asLong(), StreamUsage.cached(message.path("usage")));
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
            return new Answer(out, inputTokens(usage), usage.path("output_tokens").asLong(),
                    StreamUsage.cached(usage));
        }

        @Override
        public StreamTranslator translator() {
            return new AnthropicPassthroughStream(prepared.clientModel());
        }
    }

    /** Responses client, OpenAI-compatible chat runtime: Responses translated to chat completions and back. */
    record ResponsesToChat(UpstreamCall call, ResponsesRequest prepared, ClientRequest.Responses request,
            ResponsesIds ids) implements Pair {
        @Override
        public Answer answer(byte[] body) {
            return responsesAnswer(OpenAiToResponsesResponse.translate(body, prepared, ids, request.createdAt()),
                    request);
        }

        @Override
        public StreamTranslator translator() {
            return recorded(new OpenAiToResponsesStream(prepared, ids, request.createdAt()), request);
        }
    }

    /** Responses client, the real Anthropic API: Responses → chat → Messages, and back the same way. */
    record ResponsesToAnthropic(UpstreamCall call, ResponsesRequest prepared,
            OpenAiToAnthropicRequest.Prepared messages, ClientRequest.Responses request, ResponsesIds ids)
            implements Pair {
        @Override
        public Answer answer(byte[] body) {
            byte[] chat = Json.bytes(AnthropicToOpenAiResponse.translate(body, messages));
            return responsesAnswer(OpenAiToResponsesResponse.translate(chat, prepared, ids, request.createdAt()),
                    request);
        }

        @Override
        public StreamTranslator translator() {
            return recorded(new ChainedStream(new AnthropicToOpenAiStream(messages),
                    new OpenAiToResponsesStream(prepared, ids, request.createdAt())), request);
        }
    }

    /** Responses client, a deployment that serves the Responses API itself: the client's request as it is. */
    record ResponsesPassthrough(UpstreamCall call, ClientRequest.Responses request, String fallbackId)
            implements Pair {
        @Override
        public Answer answer(byte[] body) {
            JsonNode parsed = Json.tryParse(body);
            if (parsed instanceof ObjectNode o && o.path("output").isArray()) {
                return responsesAnswer(o, request);
            }
            return new Answer(body, -1, -1);
        }

        @Override
        public StreamTranslator translator() {
            return recorded(new ResponsesPassthroughStream(fallbackId, request.clientModel()), request);
        }
    }

    /**
     * Responses client asking for a compaction ({@code compaction_trigger}, Codex's remote compaction): the
     * runtime writes the summary, the client gets one {@code compaction} item. {@code messages} is set when the
     * deployment is the real Anthropic API.
     */
    record ResponsesCompacting(UpstreamCall call, ResponsesRequest prepared, OpenAiToAnthropicRequest.Prepared messages,
            ClientRequest.Responses request, ResponsesIds ids) implements Pair {
        @Override
        public Answer answer(byte[] body) {
            byte[] chat = messages == null ? body : Json.bytes(AnthropicToOpenAiResponse.translate(body, messages));
            return responsesAnswer(ResponsesCompaction.response(chat, prepared, ids, request.createdAt()), request);
        }

        @Override
        public StreamTranslator translator() {
            StreamTranslator compaction = new ResponsesCompactionStream(prepared, ids, request.createdAt());
            return recorded(messages == null ? compaction
                    : new ChainedStream(new AnthropicToOpenAiStream(messages), compaction), request);
        }
    }

    private static Answer responsesAnswer(ObjectNode response, ClientRequest.Responses request) {
        String status = response.path("status").asText();
        if ("completed".equals(status) || "incomplete".equals(status)) {
            request.completed().accept(response);
        }
        JsonNode usage = response.path("usage");
        return new Answer(Json.bytes(response), usage.isObject() ? usage.path("input_tokens").asLong() : -1,
                usage.path("output_tokens").asLong(), StreamUsage.cached(usage));
    }

    private static StreamTranslator recorded(StreamTranslator t, ClientRequest.Responses request) {
        return request.store() ? new ResponsesRecorder(t, request.completed()) : t;
    }

    /** Anthropic counts cached input apart from the rest; the gateway's records count every input token. */
    private static long inputTokens(JsonNode usage) {
        return usage.path("input_tokens").asLong() + usage.path("cache_read_input_tokens").asLong()
                + usage.path("cache_creation_input_tokens").asLong();
    }
}
