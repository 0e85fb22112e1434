package dev.sluice.backend;

import java.util.concurrent.CompletableFuture;

/** A place requests are sent: an OpenAI-compatible runtime over HTTP, or the built-in simulator. */
public interface Backend extends AutoCloseable {
    BackendProfile profile();

    /** Completes when the response headers have arrived, or fails with a {@link dev.sluice.error.GatewayException}. */
    CompletableFuture<UpstreamExchange> send(UpstreamCall call);

    /** Probes the runtime's health path; completes true when it answers healthy. Never fails. */
    CompletableFuture<Boolean> probe();

    /**
     * The wire dialect of the requests this backend takes: {@code OPENAI} (chat completions) for every runtime,
     * {@code ANTHROPIC} for the real Anthropic Messages API, which the controllers translate for.
     */
    default dev.sluice.backend.WireDialect dialect() {
        return dev.sluice.backend.WireDialect.OPENAI;
    }

    /** Where it is, with no credentials, for /health and logs. */
    String location();

    @Override
    default void close() {}
}
