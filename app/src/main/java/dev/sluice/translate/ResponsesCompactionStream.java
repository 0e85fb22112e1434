package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.StreamAnswer;
import dev.sluice.protocol.StreamTranslator;
import dev.sluice.protocol.StreamUsage;
import dev.sluice.protocol.UpstreamErrors;
import dev.sluice.protocol.responses.ResponsesErrors;
import dev.sluice.protocol.responses.ResponsesStreamEvent;
import dev.sluice.protocol.sse.SseEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A streamed compaction ({@code compaction_trigger}, Codex's remote compaction v2): the runtime's chat stream is
 * collected whole, because the one {@code compaction} item can only be made from the complete summary; then the
 * five events of {@link ResponsesCompaction#events} go out. Until then the client gets keep-alives. A failure
 * ends with {@code response.failed}. Not thread-safe: one instance per response.
 */
public final class ResponsesCompactionStream implements StreamTranslator {
    private static final byte[] KEEP_ALIVE = SseEvent.comment("keep-alive");

    private final ResponsesRequest request;
    private final ResponsesIds ids;
    private final long createdAt;
    private final StringBuilder text = new StringBuilder();
    private final StreamAnswer answer = new StreamAnswer();
    private String finish;
    private JsonNode usage;
    private boolean terminated;
    private boolean failed;
    private long input = -1;
    private long output;

    public ResponsesCompactionStream(ResponsesRequest request, ResponsesIds ids, long createdAt) {
        this.request = request;
        this.ids = ids;
        this.createdAt = createdAt;
    }

    @Override
    public void onEvent(SseEvent event, List<byte[]> out) {
        if (terminated || event.data() == null) {
            return;
        }
        if (event.isDone()) {
            finish(out);
            return;
        }
        JsonNode chunk = Json.tryParse(event.data());
        if (chunk == null) {
            fail(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.MALFORMED_RESPONSE,
                    "the backend sent a stream chunk that is not JSON"), out);
            return;
        }
        if (UpstreamErrors.isErrorPayload(chunk)) {
            fail(UpstreamErrors.from(UpstreamErrors.inBandStatus(chunk),
                    event.data().getBytes(StandardCharsets.UTF_8), Map.of(), null), out);
            return;
        }
        answer.chunk(chunk);
        JsonNode choice = chunk.path("choices").path(0);
        JsonNode content = choice.path("delta").path("content");
        if (content.isTextual()) {
            text.append(content.asText());
        }
        if (choice.hasNonNull("finish_reason")) {
            finish = choice.path("finish_reason").asText();
        }
        if (chunk.path("usage").isObject()) {
            usage = chunk.path("usage");
        }
    }

    @Override
    public void onEnd(List<byte[]> out) {
        if (terminated) {
            return;
        }
        if (finish != null) {
            finish(out);
        } else {
            fail(GatewayException.of(ErrorKind.BAD_GATEWAY, Cause.STREAM_TRUNCATED,
                    "the backend stream ended before the summary was complete"), out);
        }
    }

    @Override
    public void onError(GatewayException error, List<byte[]> out) {
        if (!terminated) {
            fail(error, out);
        }
    }

    private void finish(List<byte[]> out) {
        ObjectNode chat = Json.object();
        chat.put("id", "compaction");
        chat.put("object", "chat.completion");
        ObjectNode choice = chat.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", text.toString());
        choice.put("finish_reason", finish == null ? "stop" : finish);
        if (usage != null) {
            chat.set("usage", usage);
            input = usage.path("prompt_tokens").asLong();
            output = usage.path("completion_tokens").asLong();
        }
        ObjectNode response;
        try {
            response = ResponsesCompaction.response(Json.bytes(chat), request, ids, createdAt);
        } catch (GatewayException e) {
            fail(e, out);
            return;
        }
        for (ResponsesStreamEvent e : ResponsesCompaction.events(request, response)) {
            out.add(e.encode());
        }
        terminated = true;
    }

    private void fail(GatewayException e, List<byte[]> out) {
        ObjectNode failedResponse = request.response(ids.next("resp"), createdAt, "failed", Json.NODES.arrayNode(),
                null, ResponsesErrors.responseError(e), null);
        out.add(new ResponsesStreamEvent.Failed(0, failedResponse).encode());
        terminated = true;
        failed = true;
    }

    @Override
    public boolean terminated() {
        return terminated;
    }

    @Override
    public boolean failed() {
        return failed;
    }

    @Override
    public byte[] keepAlive() {
        return KEEP_ALIVE;
    }

    @Override
    public StreamUsage usage() {
        return input < 0 ? StreamUsage.NONE : new StreamUsage(input, output, false);
    }

    @Override
    public boolean sawContent() {
        return terminated && !failed;
    }

    @Override
    public StreamAnswer answer() {
        return answer;
    }
}
