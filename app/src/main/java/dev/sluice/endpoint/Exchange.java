package dev.sluice.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.observability.GatewayMetrics;
import dev.sluice.protocol.ClientDialect;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.StreamAnswer;
import dev.sluice.observability.RequestRecord;
import dev.sluice.routing.Attempt;
import dev.sluice.routing.ClientLink;
import dev.sluice.routing.Dispatcher;
import dev.sluice.routing.Route;
import dev.sluice.routing.Router;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves a parsed client request on its route: each attempt gets the pair of the client's dialect and the
 * deployment's wire, translated once for that deployment; the answer is read, or the stream relayed, by
 * the pair of the attempt that succeeded.
 */
public final class Exchange {
    private final Dispatcher dispatcher;
    private final GatewayMetrics metrics;

    public Exchange(Dispatcher dispatcher, GatewayMetrics metrics) {
        this.dispatcher = dispatcher;
        this.metrics = metrics;
    }

    public Router router() {
        return dispatcher.router();
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    /**
     * Fails with a {@link dev.sluice.error.GatewayException} when the request could not be served. A request that must
     * wait for a deployment with room waits on {@code loop}; a stream that waits longer than KEEPALIVE_S gets its
     * 200 and keep-alives meanwhile ({@link QueuedStreams}).
     */
    public CompletableFuture<Reply> serve(ClientRequest request, Route route, RequestRecord record, ClientLink client,
            EventLoop loop) {
        route.waitOn(loop);
        Pair[] latest = new Pair[1]; // attempts run one after another: the latest is the one that answered
        Attempt.Factory<Pair> attempts = u -> {
            Pair pair = Pairs.prepare(request, u, loop);
            latest[0] = pair;
            return new Attempt<>(u, pair.call(), pair);
        };
        if (!request.stream()) {
            return dispatcher.unary(route, attempts, record, client).thenApply(r -> {
                Pair.Answer answer = r.attempt().prepared().answer(r.body());
                if (answer.promptTokens() >= 0) {
                    record.tokens(answer.promptTokens(), answer.completionTokens(), answer.cachedTokens(), false);
                }
                if (record.traced()) {
                    describe(r.body(), record);
                }
                return new Reply.Json(answer.body(), r.attempt().prepared().headers());
            });
        }
        AtomicBoolean streaming = new AtomicBoolean();
        Runnable opened = () -> {
            if (streaming.compareAndSet(false, true)) {
                record.streaming(true);
                metrics.streamOpened();
            }
        };
        CompletableFuture<Reply> reply = dispatcher.stream(route, attempts, a -> a.prepared().translator(), record,
                client).thenApply(relay -> {
                    opened.run();
                    return new Reply.Stream(relay, latest[0] == null ? Map.of() : latest[0].headers());
                });
        return QueuedStreams.keepAlive(reply, route, loop, dispatcher.keepAlive(), dialect(request), record, opened);
    }

    private static ClientDialect dialect(ClientRequest request) {
        return switch (request) {
            case ClientRequest.OpenAi o -> ClientDialect.OPENAI;
            case ClientRequest.Messages m -> ClientDialect.ANTHROPIC;
            case ClientRequest.Responses r -> ClientDialect.RESPONSES;
        };
    }

    /**
     * The answering model and finish reasons of a runtime's whole answer, for the spans (a second parse, paid only
     * when the request is traced): OpenAI's {@code choices[].finish_reason}, Anthropic's {@code stop_reason}, or a
     * Responses object's status (its {@code incomplete_details.reason} when incomplete), as streams report them.
     */
    private static void describe(byte[] upstreamBody, RequestRecord record) {
        JsonNode body = Json.tryParse(upstreamBody);
        if (body == null || !body.isObject()) {
            return;
        }
        List<String> reasons = new ArrayList<>(1);
        for (JsonNode choice : body.path("choices")) {
            if (choice.path("finish_reason").isTextual()) {
                reasons.add(choice.path("finish_reason").asText());
            }
        }
        if (body.path("stop_reason").isTextual()) {
            reasons.add(body.path("stop_reason").asText());
        }
        if ("response".equals(Json.text(body, "object")) && StreamAnswer.responsesReason(body) != null) {
            reasons.add(StreamAnswer.responsesReason(body));
        }
        record.response(body.path("model").isTextual() ? body.path("model").asText() : null, reasons);
    }
}
