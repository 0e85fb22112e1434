package dev.sluice.endpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.UpstreamCall;
import dev.sluice.backend.WireDialect;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.routing.Upstream;
import dev.sluice.translate.AnthropicPassthrough;
import dev.sluice.translate.AnthropicRequest;
import dev.sluice.translate.AnthropicToOpenAiRequest;
import dev.sluice.translate.ModelNames;
import dev.sluice.translate.OpenAiPassthroughRequest;
import dev.sluice.translate.OpenAiPassthroughRequest.Endpoint;
import dev.sluice.translate.OpenAiToAnthropicRequest;
import dev.sluice.translate.PreparedRequest;
import io.netty.channel.EventLoop;

/**
 * The one switch over (client dialect, backend wire): which pairs exist and how each attempt's request is
 * prepared. Adding a client dialect is one {@link ClientRequest} variant and its arm here; adding a runtime
 * kind touches none of this (it is a profile).
 */
public final class Pairs {
    private Pairs() {}

    /** The request prepared for {@code u}; throws a {@link GatewayException} for input this pair cannot take. */
    public static Pair prepare(ClientRequest request, Upstream u, EventLoop loop) {
        WireDialect wire = u.backend().dialect();
        return switch (request) {
            case ClientRequest.OpenAi r -> switch (wire) {
                case OPENAI, AZURE -> openAiPassthrough(r, u, loop);
                case ANTHROPIC -> openAiToAnthropic(r, u, loop);
            };
            case ClientRequest.Messages r -> switch (wire) {
                case OPENAI, AZURE -> anthropicToOpenAi(r, u, loop);
                case ANTHROPIC -> anthropicPassthrough(r, u, loop);
            };
            case ClientRequest.Responses r -> switch (wire) {
                case OPENAI, AZURE -> u.profile().nativeResponses() ? ResponsesPairs.passthrough(r, u, loop)
                        : ResponsesPairs.toChat(r, u, loop);
                case ANTHROPIC -> ResponsesPairs.toAnthropic(r, u, loop);
            };
        };
    }

    private static Pair openAiPassthrough(ClientRequest.OpenAi r, Upstream u, EventLoop loop) {
        if (r.endpoint() == Endpoint.EMBEDDINGS && !u.profile().embeddings()) {
            throw notSupported(u, "/v1/embeddings", "; serve embeddings from a runtime that has them (e.g. TEI, vllm"
                    + " or ollama with an embedding model)");
        }
        if (r.endpoint() == Endpoint.COMPLETIONS && !u.profile().completions()) {
            throw notSupported(u, "/v1/completions", "");
        }
        ObjectNode copy = AttemptBody.of(r.json());
        byte[] raw = RequestDefaults.apply(copy, u.requestDefaults()) ? Json.bytes(copy) : r.raw();
        PreparedRequest p = OpenAiPassthroughRequest.prepare(r.endpoint(), raw, copy, Capabilities.of(u.profile()),
                ModelNames.forUpstream(u.modelFor(r.clientModel())));
        return new Pair.OpenAiPassthrough(new UpstreamCall("POST", r.path(), p.body(), p.stream(), loop), p);
    }

    private static Pair openAiToAnthropic(ClientRequest.OpenAi r, Upstream u, EventLoop loop) {
        if (r.endpoint() != Endpoint.CHAT) {
            throw GatewayException.of(ErrorKind.NOT_SUPPORTED, r.path() + " is not supported by the anthropic"
                    + " provider; only /v1/chat/completions is");
        }
        ObjectNode copy = AttemptBody.of(r.json());
        RequestDefaults.apply(copy, u.requestDefaults());
        OpenAiToAnthropicRequest.Prepared p = OpenAiToAnthropicRequest.translate(copy, u.modelFor(r.clientModel()),
                r.clientModel());
        return new Pair.OpenAiToAnthropic(new UpstreamCall("POST", "/messages", p.bytes(), p.stream(), loop), p);
    }

    private static Pair anthropicToOpenAi(ClientRequest.Messages r, Upstream u, EventLoop loop) {
        AnthropicRequest t = translateMessages(r, u);
        RequestDefaults.apply(t.openAi(), u.requestDefaults());
        return new Pair.AnthropicToOpenAi(new UpstreamCall("POST", "/chat/completions", Json.bytes(t.openAi()),
                t.stream(), loop), t, r.messageId());
    }

    private static Pair anthropicPassthrough(ClientRequest.Messages r, Upstream u, EventLoop loop) {
        ObjectNode copy = AttemptBody.of(r.json());
        RequestDefaults.apply(copy, u.requestDefaults());
        AnthropicPassthrough.Prepared p = AnthropicPassthrough.prepare(copy, u.modelFor(r.clientModel()),
                r.clientModel());
        return new Pair.AnthropicPassthrough(new UpstreamCall("POST", "/messages", p.body(), p.stream(), loop, false,
                r.headers()), p);
    }

    /** Messages in the chat dialect of {@code u}'s runtime (also what token counting sends). */
    static AnthropicRequest translateMessages(ClientRequest.Messages r, Upstream u) {
        return AnthropicToOpenAiRequest.translate(r.json(), Capabilities.of(u.profile()), u.modelFor(r.clientModel()),
                r.clientModel());
    }

    private static GatewayException notSupported(Upstream u, String endpoint, String hint) {
        return GatewayException.of(ErrorKind.NOT_SUPPORTED, endpoint + " is not supported by the "
                + u.profile().kind().id() + " backend" + hint);
    }
}
