package dev.sluice.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A request as the fake runtime received it, with what happened to its connection afterwards.
 *
 * @param headers header names lower-cased; the first value of each
 * @param connection which connection (1, 2, ...) it arrived on
 */
public record RecordedRequest(String method, String path, Map<String, String> headers, byte[] body, int connection,
        CompletableFuture<Void> connectionClosed, CompletableFuture<Void> closedByPeer, List<Long> eventSentNanos) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    RecordedRequest(String method, String path, Map<String, String> headers, byte[] body, int connection,
            CompletableFuture<Void> connectionClosed, CompletableFuture<Void> closedByPeer) {
        this(method, path, headers, body, connection, connectionClosed, closedByPeer, new CopyOnWriteArrayList<>());
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("the fake received a body that is not JSON: " + bodyText(), e);
        }
    }

    /**
     * Waits until the gateway closed this request's upstream connection (the fake read end-of-stream on it).
     * Returns how long the wait took; throws when it did not happen in time.
     */
    public Duration awaitClosedByGateway(Duration timeout) throws InterruptedException, TimeoutException {
        long start = System.nanoTime();
        try {
            closedByPeer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    public boolean isClosedByGateway() {
        return closedByPeer.isDone();
    }

    /** When the fake started writing the i-th event of its reply ({@link System#nanoTime()}). */
    public long eventSentAt(int i) {
        return eventSentNanos.get(i);
    }

    public int eventsSent() {
        return eventSentNanos.size();
    }

    @Override
    public String toString() {
        return method + " " + path + " " + bodyText();
    }
}
