package dev.sluice.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable stand-in for an inference runtime: a real HTTP/1.1 server on 127.0.0.1 (plain blocking
 * sockets on virtual threads) that speaks one runtime's dialect: base path {@code /v1}, the runtime's
 * health path and its error-body shape (protocols.md §4.1, §4.4).
 *
 * <p>Tests queue {@link Reply replies}; each API request takes the first queued reply whose path matches.
 * Health probes and {@code GET /v1/models} get the dialect's defaults when nothing is queued for them.
 * Every request is recorded with its connection, so a test can wait for "the gateway closed the upstream
 * connection" ({@link RecordedRequest#awaitClosedByGateway}).
 */
public final class FakeRuntime implements AutoCloseable {
    static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The runtimes the fake can imitate; {@code kind} is the gateway's BACKEND_KIND for it. */
    public enum Dialect {
        VLLM("vllm"), OLLAMA("ollama"), LLAMACPP("llamacpp"), TGI("tgi"), SGLANG("sglang"), LOCALAI("localai");

        public final String kind;

        Dialect(String kind) {
            this.kind = kind;
        }
    }

    private record Queued(String path, Reply reply) {}

    private final Dialect dialect;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Queued> queue = new CopyOnWriteArrayList<>();
    private final BlockingQueue<RecordedRequest> unseen = new LinkedBlockingQueue<>();
    private final List<RecordedRequest> all = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private final Future<?> acceptor;
    private volatile boolean running = true;

    private FakeRuntime(Dialect dialect) {
        this.dialect = dialect;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        acceptor = threads.submit(this::acceptLoop);
    }

    public static FakeRuntime vllm() {
        return new FakeRuntime(Dialect.VLLM);
    }

    public static FakeRuntime ollama() {
        return new FakeRuntime(Dialect.OLLAMA);
    }

    public static FakeRuntime llamacpp() {
        return new FakeRuntime(Dialect.LLAMACPP);
    }

    public static FakeRuntime tgi() {
        return new FakeRuntime(Dialect.TGI);
    }

    public static FakeRuntime sglang() {
        return new FakeRuntime(Dialect.SGLANG);
    }

    public static FakeRuntime localai() {
        return new FakeRuntime(Dialect.LOCALAI);
    }

    public static FakeRuntime of(Dialect dialect) {
        return new FakeRuntime(dialect);
    }

    public Dialect dialect() {
        return dialect;
    }

    /** The gateway's BACKEND_KIND for this runtime. */
    public String kind() {
        return dialect.kind;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The gateway's BACKEND_BASE_URL for this runtime. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    // --- scripting ---

    /** Queues a reply for the next API request, whatever its path. */
    public FakeRuntime enqueue(Reply reply) {
        queue.add(new Queued(null, reply));
        return this;
    }

    /** Queues a reply for the next request to exactly this path (e.g. {@code /v1/models}). */
    public FakeRuntime enqueue(String path, Reply reply) {
        queue.add(new Queued(path, reply));
        return this;
    }

    /** Forgets queued replies and recorded requests (connections stay as they are). */
    public void reset() {
        queue.clear();
        unseen.clear();
        all.clear();
    }

    /** The dialect's error body (protocols.md §4.4) for a status and message. */
    public byte[] errorBody(int status, String message, String type) {
        ObjectNode root = MAPPER.createObjectNode();
        switch (dialect) {
            case VLLM -> {
                ObjectNode e = root.putObject("error");
                e.put("message", message).put("type", type == null ? "BadRequestError" : type).putNull("param");
                e.put("code", status);
            }
            case OLLAMA -> {
                ObjectNode e = root.putObject("error");
                e.put("message", message).put("type", type == null ? "invalid_request_error" : type).putNull("param");
                e.putNull("code");
            }
            case LLAMACPP, LOCALAI -> {
                ObjectNode e = root.putObject("error");
                e.put("code", status).put("message", message).put("type", type == null ? "server_error" : type);
            }
            case TGI -> root.put("error", message).put("error_type", type == null ? "validation" : type);
            case SGLANG -> root.put("object", "error").put("message", message)
                    .put("type", type == null ? "BadRequestError" : type).putNull("param").put("code", status);
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private String healthPath() {
        return switch (dialect) {
            case OLLAMA -> "/api/version";
            case LOCALAI -> "/readyz";
            default -> "/health";
        };
    }

    private Reply.Body defaultReply(String method, String path) {
        if (method.equals("GET") && (path.equals(healthPath()) || path.equals("/"))) {
            return switch (dialect) {
                case OLLAMA -> path.equals("/") ? Reply.text(200, "Ollama is running")
                        : Reply.json("{\"version\":\"0.12.6\"}");
                case LLAMACPP -> Reply.json("{\"status\":\"ok\"}");
                default -> new Reply.Body(200, "application/json", new byte[0], Map.of(), Duration.ZERO);
            };
        }
        if (method.equals("GET") && path.equals("/v1/models")) {
            return Reply.json(defaultModels());
        }
        if (capacityRead(method, path)) {
            return new Reply.Body(404, "text/plain", "Not Found".getBytes(StandardCharsets.UTF_8), Map.of(),
                    Duration.ZERO);
        }
        return new Reply.Body(500, "application/json", errorBody(500,
                "FakeRuntime: no reply queued for " + method + " " + path, "server_error"), Map.of(), Duration.ZERO);
    }

    private String defaultModels() {
        try {
            return switch (dialect) {
                case OLLAMA -> Fixtures.text("ollama/models-list.json");
                case VLLM, LLAMACPP -> {
                    ObjectNode list = MAPPER.createObjectNode().put("object", "list");
                    list.set("data", MAPPER.readTree(Fixtures.bytes(dialect == Dialect.VLLM
                            ? "vllm/models-list-items.json" : "llamacpp/models-list-items.json")));
                    yield list.toString();
                }
                default -> {
                    ObjectNode list = MAPPER.createObjectNode().put("object", "list");
                    ArrayNode data = list.putArray("data");
                    data.addObject().put("id", "fake-" + dialect.kind).put("object", "model").put("created", 0)
                            .put("owned_by", dialect.kind);
                    yield list.toString();
                }
            };
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The page where the runtime says how many requests it takes at once, which the gateway reads (profile data). */
    private String capacityPath() {
        return switch (dialect) {
            case TGI -> "/info";
            case SGLANG -> "/get_server_info";
            case LLAMACPP -> "/slots";
            default -> null;
        };
    }

    private boolean capacityRead(String method, String path) {
        return method.equals("GET") && path.equals(capacityPath());
    }

    private Reply take(String method, String path) {
        boolean probe = method.equals("GET") && (path.equals(healthPath()) || path.equals("/"))
                || capacityRead(method, path);
        for (Iterator<Queued> it = queue.iterator(); it.hasNext(); ) {
            Queued q = it.next();
            boolean matches = q.path() == null ? !probe && !(method.equals("GET") && path.equals("/v1/models"))
                    : q.path().equals(path);
            if (matches && queue.remove(q)) {
                return q.reply();
            }
        }
        return defaultReply(method, path);
    }

    // --- what happened ---

    /** The next request the fake received that the test has not taken yet. */
    public RecordedRequest takeRequest() throws InterruptedException, TimeoutException {
        return takeRequest(Duration.ofSeconds(5));
    }

    public RecordedRequest takeRequest(Duration timeout) throws InterruptedException, TimeoutException {
        RecordedRequest r = unseen.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new TimeoutException("the fake runtime received no request within " + timeout);
        }
        return r;
    }

    /** Every request received since the last {@link #reset()}, health probes included. */
    public List<RecordedRequest> requests() {
        return List.copyOf(all);
    }

    /** Requests other than health probes and capacity reads. */
    public List<RecordedRequest> apiRequests() {
        return all.stream().filter(r -> !(r.method().equals("GET")
                && (r.path().equals(healthPath()) || r.path().equals("/")))
                && !capacityRead(r.method(), r.path())).toList();
    }

    public int connectionsOpened() {
        return opened.get();
    }

    public int connectionsClosed() {
        return closed.get();
    }

    public int connectionsOpen() {
        return opened.get() - closed.get();
    }

    // --- server ---

    private void acceptLoop() {
        while (running) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                sockets.add(s);
                int id = opened.incrementAndGet();
                threads.submit(() -> serve(s, id));
            } catch (IOException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    private void serve(Socket socket, int id) {
        CompletableFuture<Void> connClosed = new CompletableFuture<>();
        CompletableFuture<Void> byPeer = new CompletableFuture<>();
        ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofVirtual().factory());
        boolean peerClosed = false;
        try {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                RecordedRequest req = readRequest(in, id, connClosed, byPeer);
                if (req == null) {
                    peerClosed = true;
                    break;
                }
                all.add(req);
                if (!capacityRead(req.method(), req.path())) {
                    unseen.add(req); // the gateway reads it in the background, at times no test chooses
                }
                Reply reply = take(req.method(), req.path());
                // written on another thread, so this one keeps reading and sees at once when the gateway hangs up
                writer.submit(() -> {
                    try {
                        respond(reply, req, out, socket, connClosed);
                    } catch (IOException e) {
                        closeQuietly(socket);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        } catch (IOException e) {
            // reset by the peer, or closed by a cut: either way the connection is over
            peerClosed = !socket.isClosed();
        } finally {
            closeQuietly(socket);
            sockets.remove(socket);
            closed.incrementAndGet();
            // counted first, so whoever waits on these futures sees the counts already updated
            if (peerClosed) {
                byPeer.complete(null);
            }
            connClosed.complete(null);
            writer.shutdownNow();
        }
    }

    private static RecordedRequest readRequest(InputStream in, int id, CompletableFuture<Void> connClosed,
            CompletableFuture<Void> byPeer) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length < 3) {
            throw new IOException("bad request line: " + requestLine);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
        }
        if (line == null) {
            throw new IOException("connection closed inside the request head");
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            while (true) {
                String size = readLine(in);
                if (size == null) {
                    throw new IOException("connection closed inside a chunked body");
                }
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    while ((line = readLine(in)) != null && !line.isEmpty()) {
                        // trailers
                    }
                    break;
                }
                buf.write(in.readNBytes(n));
                readLine(in);
            }
            body = buf.toByteArray();
        } else {
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            body = in.readNBytes(length);
            if (body.length < length) {
                throw new IOException("connection closed inside the request body");
            }
        }
        return new RecordedRequest(parts[0], parts[1], Map.copyOf(headers), body, id, connClosed, byPeer);
    }

    /** A CRLF- (or LF-) terminated line, or null at end of stream before any byte. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = buf.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            buf.write(b);
        }
        if (buf.size() == 0) {
            return null;
        }
        throw new IOException("connection closed mid-line");
    }

    private void respond(Reply reply, RecordedRequest req, OutputStream out, Socket socket,
            CompletableFuture<Void> connClosed) throws IOException, InterruptedException {
        switch (reply) {
            case Reply.Hang h -> waitFor(connClosed, null);
            case Reply.HangUp h -> socket.close();
            case Reply.ThenClose t -> {
                writeBody(out, t.body(), connClosed);
                socket.close();
            }
            case Reply.DialectError e -> writeBody(out, new Reply.Body(e.status(), "application/json",
                    errorBody(e.status(), e.message(), e.type()), e.headers(), Duration.ZERO), connClosed);
            case Reply.Body b -> {
                writeBody(out, b, connClosed);
                if (b.cutAt() >= 0) {
                    socket.close();
                }
            }
            case Reply.Sse s -> writeSse(out, s, req, socket, connClosed);
        }
    }

    private static void writeBody(OutputStream out, Reply.Body b, CompletableFuture<Void> connClosed)
            throws IOException, InterruptedException {
        if (!b.delay().isZero() && !waitFor(connClosed, b.delay())) {
            return;
        }
        StringBuilder head = new StringBuilder();
        head.append("HTTP/1.1 ").append(b.status()).append(' ').append(reason(b.status())).append("\r\n");
        head.append("content-type: ").append(b.contentType()).append("\r\n");
        head.append("content-length: ").append(b.body().length).append("\r\n");
        b.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(b.body(), 0, b.cutAt() >= 0 ? Math.min(b.cutAt(), b.body().length) : b.body().length);
        out.flush();
    }

    private static void writeSse(OutputStream out, Reply.Sse s, RecordedRequest req, Socket socket,
            CompletableFuture<Void> connClosed) throws IOException, InterruptedException {
        if (!s.headerDelay.isZero() && !waitFor(connClosed, s.headerDelay)) {
            return;
        }
        out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\ncache-control: no-cache\r\n"
                + "transfer-encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        int sent = 0;
        boolean sawDone = false;
        List<Reply.Sse.Step> steps = new ArrayList<>(s.steps);
        for (Reply.Sse.Step step : steps) {
            if (s.cutAfter >= 0 && sent >= s.cutAfter) {
                break;
            }
            if (s.stallAfter >= 0 && sent >= s.stallAfter) {
                break;
            }
            if (s.resetAfter >= 0 && sent >= s.resetAfter) {
                break;
            }
            switch (step) {
                case Reply.Sse.Pause p -> {
                    if (!waitFor(connClosed, p.d())) {
                        return;
                    }
                }
                case Reply.Sse.Await a -> {
                    while (!a.latch().await(20, TimeUnit.MILLISECONDS)) {
                        if (connClosed.isDone()) {
                            return;
                        }
                    }
                }
                case Reply.Sse.Garbage g -> {
                    out.write(g.bytes());
                    out.flush();
                }
                case Reply.Sse.Send send -> {
                    if (!s.eventDelay.isZero() && !waitFor(connClosed, s.eventDelay)) {
                        return;
                    }
                    // stamped before the write: once written, the gateway may relay it before this thread runs again
                    req.eventSentNanos().add(System.nanoTime());
                    writeChunk(out, send.bytes());
                    sent++;
                    sawDone = new String(send.bytes(), StandardCharsets.UTF_8).strip().equals("data: [DONE]");
                }
            }
        }
        if (s.cutAfter >= 0) {
            // a crash: no terminating chunk, the socket just goes away
            socket.close();
            return;
        }
        if (s.stallAfter >= 0) {
            waitFor(connClosed, null);
            return;
        }
        if (s.resetAfter >= 0) {
            // SO_LINGER 0: close() sends RST instead of FIN, as when the runtime's host drops the connection
            socket.setSoLinger(true, 0);
            socket.close();
            return;
        }
        if (s.appendDone && !sawDone) {
            req.eventSentNanos().add(System.nanoTime());
            writeChunk(out, DONE);
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static void writeChunk(OutputStream out, byte[] data) throws IOException {
        out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(data);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Sleeps for {@code d} (forever when null); false when the connection closed meanwhile. */
    private static boolean waitFor(CompletableFuture<Void> connClosed, Duration d) throws InterruptedException {
        try {
            if (d == null) {
                connClosed.get();
            } else {
                connClosed.get(d.toMillis(), TimeUnit.MILLISECONDS);
            }
            return false;
        } catch (TimeoutException e) {
            return true;
        } catch (java.util.concurrent.ExecutionException e) {
            return false;
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 422 -> "Unprocessable Entity";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * Stops the fake. When this returns the port refuses connections: a test that closes a fake to play a dead
     * or killed runtime gets "connection refused", never a connection that is accepted and then reset.
     */
    @Override
    public void close() {
        running = false;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        // ServerSocket.close() returns before the socket stops listening when a thread is blocked in accept():
        // the JDK defers the real close until that thread leaves accept, and until then the kernel still
        // completes handshakes (about half the connects made right after close() got in, and were then reset)
        try {
            acceptor.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | CancellationException e) {
            // the loop failed or hangs: nothing more to wait for
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sockets.forEach(FakeRuntime::closeQuietly);
        threads.shutdownNow();
    }
}
