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
     * The body of a GET to {@code path} (from the server root), for reading the runtime's load from its
     * {@code /metrics}; completes with null on any failure, non-2xx or a body over 1 MiB. Never fails.
     */
    default CompletableFuture<String> scrape(String path) {
        return CompletableFuture.completedFuture(null);
    }

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
