package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.responses.ResponsesErrors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An OpenAI Responses request to an OpenAI chat-completions request (responses-api.md §2, §5.2). Pure: what
 * depends on the runtime comes in as {@link ResponsesOptions}; what needs a store comes in already expanded.
 *
 * <p>Fields with no chat meaning are echoed in the Response but not sent: {@code metadata}, {@code store} (always
 * echoed false), {@code truncation} ({@code auto} behaves as {@code disabled}: there is no token counter to drop
 * items by), {@code text.verbosity}, {@code reasoning.summary}, {@code include}, {@code service_tier},
 * {@code top_logprobs}, {@code max_tool_calls}. Unknown top-level fields (chat-only {@code n}, {@code seed},
 * {@code stop}; Codex's {@code client_metadata}) are ignored, as responses-api.md §8 #33 says: they are not part of
 * the Responses API, and forwarding them would let a client reach chat parameters it cannot name in Responses.
 */
public final class ResponsesToOpenAiRequest {
    private ResponsesToOpenAiRequest() {}

    /**
     * @param req the client's JSON body
     * @param priorItems the input and output items of {@code previous_response_id}, expanded by the caller from its
     *     store, or null when it has none (then {@code previous_response_id} is a 400 previous_response_not_found)
     * @param upstreamModel the model name to send the backend (after alias resolution)
     */
    public static ResponsesRequest translate(ObjectNode req, List<JsonNode> priorItems, ResponsesOptions options,
            String upstreamModel) {
        String clientModel = Json.text(req, "model");
        if (clientModel == null || clientModel.isEmpty()) {
            throw GatewayException.invalid("model: required", "model");
        }
        refuseStateful(req, priorItems);
        ResponsesTools.Result tools = ResponsesTools.translate(req.get("tools"), req.get("tool_choice"), options);
        List<JsonNode> items = new ArrayList<>();
        List<String> where = new ArrayList<>();
        inputItems(req, priorItems, items, where);
        ResponsesInputItems.Result input = ResponsesInputItems.translate(instructions(req.get("instructions")), items,
                where, options);

        ObjectNode chat = Json.object();
        chat.put("model", upstreamModel);
        chat.set("messages", input.messages());
        if (!tools.tools().isEmpty()) {
            chat.set("tools", tools.tools());
            if (tools.toolChoice() != null) {
                chat.set("tool_choice", tools.toolChoice());
            }
            JsonNode parallel = req.get("parallel_tool_calls");
            if (parallel != null && parallel.isBoolean()) {
                chat.set("parallel_tool_calls", parallel); // OpenAI refuses it without tools
            }
        }
        JsonNode max = req.get("max_output_tokens");
        if (max != null && max.canConvertToLong() && max.asLong() > 0) {
            chat.put(options.maxTokensField().field(), max.asLong());
        }
        copyNumber(req, chat, "temperature");
        copyNumber(req, chat, "top_p");
        responseFormat(req.path("text").path("format"), chat);
        String effort = Json.text(req.path("reasoning"), "effort");
        if (effort != null && options.reasoningEffort()) {
            chat.put("reasoning_effort", effort);
        }
        String cacheKey = Json.text(req, "prompt_cache_key");
        if (options.openAiOnlyFields()) {
            String user = Json.text(req, "user");
            if (user != null) {
                chat.put("user", user);
            }
            copyText(req, chat, "safety_identifier");
            copyText(req, chat, "prompt_cache_key");
        }
        boolean stream = req.path("stream").asBoolean(false);
        if (stream) {
            chat.put("stream", true);
            // usage arrives only when asked for, and the final response.completed must carry it
            chat.putObject("stream_options").put("include_usage", true);
        }
        JsonNode summary = req.path("reasoning").path("summary");
        if (summary.isMissingNode() || summary.isNull()) {
            summary = req.path("reasoning").path("generate_summary");
        }
        long estimate = TokenEstimate.ofText(Json.string(input.messages()))
                + TokenEstimate.ofText(Json.string(tools.tools())) + 3L * input.messages().size();
        return new ResponsesRequest(chat, clientModel, stream, tools.refs(), tools.dropped(), input.dropped(),
                summary.isTextual(), options.splitThinkTags(), cacheKey, Math.max(1, estimate),
                ResponsesEcho.of(req, clientModel));
    }

    private static void refuseStateful(ObjectNode req, List<JsonNode> priorItems) {
        if (req.hasNonNull("conversation")) {
            throw ResponsesErrors.unsupportedParameter("conversation", "conversation: conversations need server-side"
                    + " state, which this gateway does not keep; send the whole history in input");
        }
        if (req.hasNonNull("prompt")) {
            throw ResponsesErrors.unsupportedParameter("prompt", "prompt: stored prompt templates are not supported;"
                    + " send instructions and input instead");
        }
        if (req.path("background").asBoolean(false)) {
            throw ResponsesErrors.unsupportedParameter("background", "background: background responses are not"
                    + " supported; leave background out or false, and stream instead");
        }
        String previous = Json.text(req, "previous_response_id");
        if (previous != null && priorItems == null) {
            throw ResponsesErrors.previousResponseNotFound(previous);
        }
    }

    /**
     * Earlier items, then the input (a string is one user message). An {@code item_reference} is replaced by the
     * item it names, found among the earlier items or the input itself.
     */
    private static void inputItems(ObjectNode req, List<JsonNode> priorItems, List<JsonNode> items,
            List<String> where) {
        List<JsonNode> prior = priorItems == null ? List.of() : priorItems;
        for (int i = 0; i < prior.size(); i++) {
            items.add(prior.get(i));
            where.add("previous_response_id item " + i);
        }
        JsonNode input = req.get("input");
        if (input == null || input.isNull() || input.isTextual() && input.asText().isEmpty()
                || input.isArray() && input.isEmpty() && prior.isEmpty()) {
            throw GatewayException.invalid("input: required; send a string or a list of items", "input");
        }
        if (input.isTextual()) {
            items.add(Json.object().put("type", "message").put("role", "user").put("content", input.asText()));
            where.add("input");
            return;
        }
        if (!input.isArray()) {
            throw GatewayException.invalid("input: must be a string or a list of items", "input");
        }
        Map<String, JsonNode> byId = new HashMap<>();
        for (JsonNode item : prior) {
            remember(byId, item);
        }
        for (JsonNode item : input) {
            remember(byId, item);
        }
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            if ("item_reference".equals(Json.text(item, "type"))) {
                String id = Json.text(item, "id");
                JsonNode found = id == null ? null : byId.get(id);
                if (found == null) {
                    throw GatewayException.invalid("input[" + i + "]: item_reference '" + id + "' names an item this"
                            + " gateway does not have (it stores no responses); send the item itself instead",
                            "input[" + i + "]");
                }
                item = found;
            }
            items.add(item);
            where.add("input[" + i + "]");
        }
    }

    private static void remember(Map<String, JsonNode> byId, JsonNode item) {
        String id = Json.text(item, "id");
        if (id != null && !"item_reference".equals(Json.text(item, "type"))) {
            byId.putIfAbsent(id, item);
        }
    }

    /** A string; the SDK types also allow a list of input messages, whose text is used. */
    private static String instructions(JsonNode instructions) {
        if (instructions == null || instructions.isNull()) {
            return null;
        }
        if (instructions.isTextual()) {
            return instructions.asText();
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode m : instructions) {
            texts.add(ResponsesContent.text(m.get("content"), "\n"));
        }
        return String.join("\n\n", texts);
    }

    /** Chat nests the schema under {@code json_schema}; Responses puts its fields on the format itself. */
    private static void responseFormat(JsonNode format, ObjectNode chat) {
        String type = Json.text(format, "type");
        if ("json_object".equals(type)) {
            chat.putObject("response_format").put("type", "json_object");
        } else if ("json_schema".equals(type)) {
            ObjectNode rf = chat.putObject("response_format").put("type", "json_schema");
            ObjectNode js = rf.putObject("json_schema");
            js.put("name", format.path("name").asText("response"));
            for (String f : new String[] {"description", "schema", "strict"}) {
                if (format.hasNonNull(f)) {
                    js.set(f, format.get(f));
                }
            }
        }
    }

    private static void copyNumber(JsonNode from, ObjectNode to, String field) {
        JsonNode v = from.get(field);
        if (v != null && v.isNumber()) {
            to.set(field, v);
        }
    }

    private static void copyText(JsonNode from, ObjectNode to, String field) {
        String v = Json.text(from, field);
        if (v != null) {
            to.put(field, v);
        }
    }
}
