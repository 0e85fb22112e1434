package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.responses.ResponsesOutputItem;
import dev.sluice.protocol.responses.ResponsesStreamEvent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Compaction served by the model behind the gateway (responses-api.md §6). A chat runtime has no compaction
 * endpoint, so the gateway asks the model for a handoff summary of the history. It hands the summary to the client
 * as a {@code compaction} item, and turns that item back into a user message when the client sends it again.
 *
 * <p>Two client calls get here:
 * <ul>
 *   <li>{@code POST /v1/responses} whose {@code input} ends with {@code {"type":"compaction_trigger"}}. Codex
 *       0.169 sends this ("remote compaction v2") when its provider counts as OpenAI (the built-in {@code openai}
 *       provider with {@code openai_base_url}, or any provider named {@code OpenAI}) and the context is nearly
 *       full. The answer must hold exactly one {@code compaction} item; any other answer, or any error status,
 *       fails the Codex turn. Codex has no fallback to its local compaction. See {@link #requested}.</li>
 *   <li>{@code POST /v1/responses/compact}, the older, separate endpoint (the SDKs' {@code responses.compact};
 *       Codex before v2). It answers a {@code response.compaction} object that lists the user messages and then
 *       one compaction item. See {@link #compacted}.</li>
 * </ul>
 * A Codex provider with any other name compacts locally and never calls either. It sends its own summary prompt
 * through plain {@code POST /v1/responses}, which needs nothing from here.
 *
 * <p>The wiring, for both calls: {@code translate(summaryRequest(body))}, send the chat body (never streamed),
 * then {@link #response} (with {@link #events} when the client asked for a stream) or {@link #compacted}.
 *
 * <p>{@code encrypted_content} is not encrypted. It is {@value #CONTENT_PREFIX} plus the summary in base64. The
 * client holds the whole history anyway, and the summary is only a digest of it. The prefix tells the gateway's
 * own items from OpenAI's real opaque ones, which no other model can read: those are dropped, as before.
 */
public final class ResponsesCompaction {
    static final String CONTENT_PREFIX = "sluice.compaction.v1:";

    /**
     * What the model is asked, as the last user message after the history. It asks for the same content as
     * Codex's own compaction prompt: a handoff summary for another model.
     */
    public static final String SUMMARY_PROMPT = """
            Context checkpoint: the conversation above is about to be replaced by a summary, so that the work can \
            go on in a smaller context. Write that summary as a handoff note for another assistant. That assistant \
            will continue the task without seeing anything above.

            Include:
            - the task, and what has been done so far, with the key decisions and their reasons;
            - the context, constraints and user preferences that still apply;
            - what remains to be done, as concrete next steps;
            - the exact data needed to continue: file paths, commands, identifiers, error messages, results.

            Be concise and structured. Answer with the summary only, and call no tools.""";

    /** Put before the summary when a compaction item comes back as input. */
    public static final String SUMMARY_PREFIX = """
            An earlier assistant worked on this task and left the handoff summary below. You have the same tools, \
            and everything it did with them (files, processes) is still in place. Build on its work, and do not \
            repeat what it already did.

            Summary:
            """;

    private ResponsesCompaction() {}

    /** A Responses request that asks for a compaction: its {@code input} ends with a {@code compaction_trigger}. */
    public static boolean requested(JsonNode req) {
        JsonNode input = req == null ? null : req.get("input");
        return input != null && input.isArray() && !input.isEmpty()
                && "compaction_trigger".equals(Json.text(input.get(input.size() - 1), "type"));
    }

    /**
     * The request that asks the model for the summary, for {@link ResponsesToOpenAiRequest#translate}. It is the
     * client's request minus every {@code compaction_trigger}, plus {@link #SUMMARY_PROMPT} as the last user
     * message. Tools stay offered with {@code tool_choice:"none"}, so the prompt keeps the prefix the runtime has
     * cached. A runtime without {@code tool_choice} gets no tools. Never streamed: the one item is sent once the
     * summary is whole. No {@code text.format}: a JSON schema would shape the summary.
     */
    public static ObjectNode summaryRequest(ObjectNode req) {
        ObjectNode r = req.deepCopy();
        ArrayNode items = Json.NODES.arrayNode();
        JsonNode input = req.get("input");
        if (input != null && input.isTextual() && !input.asText().isEmpty()) {
            items.add(user(input.asText()));
        } else if (input != null && input.isArray()) {
            for (JsonNode item : input) {
                if (!"compaction_trigger".equals(Json.text(item, "type"))) {
                    items.add(item);
                }
            }
        }
        items.add(user(SUMMARY_PROMPT));
        r.set("input", items);
        r.put("stream", false);
        r.put("tool_choice", "none");
        r.remove("text");
        return r;
    }

    /**
     * The model's answer as the Response to a {@code compaction_trigger} request. Its only output is the
     * {@code compaction} item, and its usage is the summary pass's. A summary cut off by the token limit is still
     * used: the turn goes on with a shorter handoff instead of failing. Codex would fail on
     * {@code response.incomplete}, and a retry would hit the same limit.
     *
     * @param chatBody the backend's complete (non-streamed) chat completion
     * @param request what {@code translate(summaryRequest(body))} returned
     * @throws GatewayException 502 when the model gave no summary text (only a tool call, or nothing)
     */
    public static ObjectNode response(byte[] chatBody, ResponsesRequest request, ResponsesIds ids, long createdAt) {
        ObjectNode translated = OpenAiToResponsesResponse.translate(chatBody, request, ids, createdAt);
        String summary = summaryText(translated.path("output"));
        ArrayNode output = Json.NODES.arrayNode();
        output.add(new ResponsesOutputItem.Compaction(ids.next("cmp"), encode(summary)).toJson());
        translated.put("status", "completed");
        translated.putNull("incomplete_details");
        translated.set("output", output);
        return translated;
    }

    /**
     * The stream for a {@link #response}: {@code response.created}, {@code response.in_progress},
     * {@code output_item.added} and {@code .done} with the compaction item, and {@code response.completed}.
     * Codex builds its new history from the {@code .done} item and stops reading at {@code response.completed}.
     */
    public static List<ResponsesStreamEvent> events(ResponsesRequest request, ObjectNode response) {
        JsonNode out = response.path("output").path(0);
        ResponsesOutputItem item = new ResponsesOutputItem.Compaction(out.path("id").asText(),
                out.path("encrypted_content").asText());
        ObjectNode started = request.response(response.path("id").asText(), response.path("created_at").asLong(),
                "in_progress", Json.NODES.arrayNode(), null, null, null);
        return List.of(new ResponsesStreamEvent.Created(0, started),
                new ResponsesStreamEvent.InProgress(1, started.deepCopy()),
                new ResponsesStreamEvent.OutputItemAdded(2, 0, item),
                new ResponsesStreamEvent.OutputItemDone(3, 0, item),
                new ResponsesStreamEvent.Completed(4, response));
    }

    /**
     * The answer of {@code POST /v1/responses/compact} (openai-python {@code CompactedResponse}). It lists the user
     * messages of the client's input, in order, and then one compaction item.
     *
     * @param clientRequest the body the client sent, before {@link #summaryRequest}
     */
    public static ObjectNode compacted(byte[] chatBody, ResponsesRequest request, ObjectNode clientRequest,
            ResponsesIds ids, long createdAt) {
        return compacted(clientRequest, response(chatBody, request, ids, createdAt));
    }

    /**
     * The {@code /v1/responses/compact} answer from a compaction's Response (what {@link #response} made, possibly
     * after the exchange that carried it): the user messages of the client's input, in order, then the
     * compaction item, with the summary pass's usage.
     */
    public static ObjectNode compacted(ObjectNode clientRequest, JsonNode summarized) {
        ObjectNode r = Json.object();
        r.put("id", summarized.path("id").asText());
        r.put("object", "response.compaction");
        r.put("created_at", summarized.path("created_at").asLong());
        ArrayNode output = r.putArray("output");
        JsonNode input = clientRequest.get("input");
        if (input != null && input.isTextual() && !input.asText().isEmpty()) {
            output.add(user(input.asText()));
        } else if (input != null && input.isArray()) {
            for (JsonNode item : input) {
                if ("message".equals(ResponsesInputItems.type(item)) && "user".equals(Json.text(item, "role"))) {
                    ObjectNode m = item.deepCopy();
                    m.put("type", "message");
                    output.add(m);
                }
            }
        }
        output.add(summarized.path("output").path(0));
        r.set("usage", summarized.get("usage"));
        return r;
    }

    /**
     * The summary in a {@code compaction} input item this gateway made, or null for anyone else's item (OpenAI's
     * opaque {@code encrypted_content}). The caller drops those.
     */
    static String summary(JsonNode item) {
        String content = Json.text(item, "encrypted_content");
        if (content == null || !content.startsWith(CONTENT_PREFIX)) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(content.substring(CONTENT_PREFIX.length())),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The user message that stands for a compaction item in the chat history. */
    static String handoff(String summary) {
        return SUMMARY_PREFIX + summary;
    }

    static String encode(String summary) {
        return CONTENT_PREFIX + Base64.getEncoder().encodeToString(summary.getBytes(StandardCharsets.UTF_8));
    }

    private static String summaryText(JsonNode output) {
        StringBuilder text = new StringBuilder();
        for (JsonNode item : output) {
            if (!"message".equals(Json.text(item, "type"))) {
                continue;
            }
            for (JsonNode part : item.path("content")) {
                if ("output_text".equals(Json.text(part, "type"))) {
                    text.append(text.isEmpty() ? "" : "\n\n").append(part.path("text").asText());
                }
            }
        }
        String summary = text.toString().strip();
        if (summary.isEmpty()) {
            throw GatewayException.of(ErrorKind.BAD_GATEWAY, "compaction: the model answered the summary request"
                    + " with no text, so there is no summary to compact the conversation into");
        }
        return summary;
    }

    private static ObjectNode user(String text) {
        ObjectNode m = Json.object().put("type", "message").put("role", "user");
        m.putArray("content").addObject().put("type", "input_text").put("text", text);
        return m;
    }
}
