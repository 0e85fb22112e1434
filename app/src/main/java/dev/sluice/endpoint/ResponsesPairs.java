package dev.sluice.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.UpstreamCall;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.responses.ResponsesErrors;
import dev.sluice.routing.Upstream;
import dev.sluice.translate.OpenAiToAnthropicRequest;
import dev.sluice.translate.ResponsesCompaction;
import dev.sluice.translate.ResponsesIds;
import dev.sluice.translate.ResponsesOptions;
import dev.sluice.translate.ResponsesRequest;
import dev.sluice.translate.ResponsesToOpenAiRequest;
import io.netty.channel.EventLoop;

/** How a Responses request is prepared for each backend wire; {@link Pairs} picks one. */
final class ResponsesPairs {
    private ResponsesPairs() {}

    /** A chat runtime: the Responses request becomes chat completions. */
    static Pair toChat(ClientRequest.Responses r, Upstream u, EventLoop loop) {
        if (ResponsesCompaction.requested(r.json())) {
            ResponsesRequest p = compactionRequest(r, u, Capabilities.responses(u.profile()));
            return new Pair.ResponsesCompacting(new UpstreamCall("POST", "/chat/completions", Json.bytes(p.chat()),
                    r.stream(), loop), p, null, r, ResponsesIds.random());
        }
        ResponsesRequest p = translate(r, u, Capabilities.responses(u.profile()));
        RequestDefaults.apply(p.chat(), u.requestDefaults());
        return new Pair.ResponsesToChat(new UpstreamCall("POST", "/chat/completions", Json.bytes(p.chat()),
                r.stream(), loop), p, r, ResponsesIds.random());
    }

    /** The real Anthropic API: Responses → chat (OpenAI's dialect) → Messages. */
    static Pair toAnthropic(ClientRequest.Responses r, Upstream u, EventLoop loop) {
        if (ResponsesCompaction.requested(r.json())) {
            ResponsesRequest p = compactionRequest(r, u, ResponsesOptions.openAi());
            OpenAiToAnthropicRequest.Prepared m = OpenAiToAnthropicRequest.translate(p.chat(),
                    u.modelFor(r.clientModel()), r.clientModel());
            return new Pair.ResponsesCompacting(new UpstreamCall("POST", "/messages", m.bytes(), m.stream(), loop), p,
                    m, r, ResponsesIds.random());
        }
        ResponsesRequest p = translate(r, u, ResponsesOptions.openAi());
        RequestDefaults.apply(p.chat(), u.requestDefaults());
        OpenAiToAnthropicRequest.Prepared m = OpenAiToAnthropicRequest.translate(p.chat(),
                u.modelFor(r.clientModel()), r.clientModel());
        return new Pair.ResponsesToAnthropic(new UpstreamCall("POST", "/messages", m.bytes(), m.stream(), loop), p, m,
                r, ResponsesIds.random());
    }

    /**
     * A deployment that serves Responses itself: the client's body with the deployment's model; a conversation
     * the gateway stored is sent whole (its items first), since that deployment never saw its id.
     */
    static Pair passthrough(ClientRequest.Responses r, Upstream u, EventLoop loop) {
        ObjectNode body = r.json().deepCopy();
        body.put("model", u.modelFor(r.clientModel()));
        if (r.priorItems() != null && !r.priorItems().isEmpty()) {
            ArrayNode input = Json.NODES.arrayNode();
            r.priorItems().forEach(input::add);
            input.addAll(ResponsesRequests.inputItems(r.json()));
            body.set("input", input);
            body.remove("previous_response_id");
        }
        RequestDefaults.apply(body, u.requestDefaults());
        return new Pair.ResponsesPassthrough(new UpstreamCall("POST", "/responses", Json.bytes(body), r.stream(),
                loop), r, ResponsesIds.random().next("resp"));
    }

    /**
     * The summary pass of a compaction: the runtime is asked for the handoff summary, streamed when the client
     * streams (the summary is collected whole before the one compaction item goes out).
     */
    private static ResponsesRequest compactionRequest(ClientRequest.Responses r, Upstream u, ResponsesOptions o) {
        ResponsesRequest p = translate(r, ResponsesCompaction.summaryRequest(r.json()), u, o);
        if (r.stream()) {
            p.chat().put("stream", true);
            p.chat().putObject("stream_options").put("include_usage", true);
        }
        return p;
    }

    private static ResponsesRequest translate(ClientRequest.Responses r, Upstream u, ResponsesOptions options) {
        return translate(r, r.json(), u, options);
    }

    private static ResponsesRequest translate(ClientRequest.Responses r, ObjectNode body, Upstream u, ResponsesOptions options) {
        if (r.priorItems() == null) {
            throw ResponsesErrors.previousResponseNotFound(Json.text(r.json(), "previous_response_id"));
        }
        String model = u.profile().upstreamModel() != null ? u.profile().upstreamModel()
                : u.modelFor(r.clientModel());
        ResponsesRequest p = ResponsesToOpenAiRequest.translate(body, r.priorItems(), options, model);
        JsonNode store = p.echo().get("store");
        if (store != null || r.store()) {
            p.echo().put("store", r.store());
        }
        return p;
    }
}
