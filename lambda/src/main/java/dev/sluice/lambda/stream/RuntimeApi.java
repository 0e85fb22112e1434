package dev.sluice.lambda.stream;

import dev.sluice.protocol.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The AWS Lambda Runtime API ({@code $AWS_LAMBDA_RUNTIME_API}, version 2018-06-01): the next invocation, init
 * and invocation errors through java.net.http, and the streamed response through {@link ResponseStream} on a
 * raw socket so every chunk leaves when it is written.
 */
public final class RuntimeApi {
    static final String BASE = "/2018-06-01/runtime";

    /** One event from {@code /invocation/next}. */
    public record Invocation(String requestId, long deadlineMs, byte[] body) {}

    private final String hostPort;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code hostPort} as AWS sets it in AWS_LAMBDA_RUNTIME_API, e.g. {@code 127.0.0.1:9001}. */
    public RuntimeApi(String hostPort) {
        this.hostPort = hostPort;
    }

    private URI uri(String path) {
        return URI.create("http://" + hostPort + BASE + path);
    }

    /** Blocks until the next event; AWS freezes the sandbox while this waits. */
    public Invocation next() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri("/invocation/next")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("runtime API /invocation/next answered " + r.statusCode());
        }
        String id = r.headers().firstValue("Lambda-Runtime-Aws-Request-Id")
                .orElseThrow(() -> new IOException("no Lambda-Runtime-Aws-Request-Id"));
        long deadline = r.headers().firstValue("Lambda-Runtime-Deadline-Ms").map(Long::parseLong)
                .orElse(System.currentTimeMillis() + 900_000);
        return new Invocation(id, deadline, r.body());
    }

    /** POST /runtime/init/error: the function cannot start (bad configuration). */
    public void initError(String type, String message) throws IOException, InterruptedException {
        postError(uri("/init/error"), type, message);
    }

    /** POST /runtime/invocation/{id}/error: the invocation failed before any response byte was streamed. */
    public void invocationError(String requestId, String type, String message) throws IOException, InterruptedException {
        postError(uri("/invocation/" + requestId + "/error"), type, message);
    }

    private void postError(URI uri, String type, String message) throws IOException, InterruptedException {
        http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                .header("Lambda-Runtime-Function-Error-Type", type)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(errorBody(type, message))).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    static byte[] errorBody(String type, String message) {
        ObjectNode n = Json.NODES.objectNode();
        n.put("errorMessage", message);
        n.put("errorType", type);
        n.putArray("stackTrace");
        return Json.bytes(n);
    }

    /** Opens the streamed response of one invocation (headers sent, no body yet). */
    public ResponseStream respond(String requestId) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        return ResponseStream.open(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)),
                BASE + "/invocation/" + requestId + "/response", hostPort);
    }
}
