package dev.sluice.lambda.stream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A loopback fake of the Lambda Runtime API on plain sockets: hands out queued events from
 * {@code /invocation/next}, and records every POST (headers, each body chunk with its arrival time, trailers).
 */
final class FakeRuntimeApi implements AutoCloseable {
    /** One body chunk as it arrived. */
    record Chunk(long atNanos, byte[] bytes) {}

    /** One POST as received. */
    static final class Post {
        final String path;
        final Map<String, String> headers = new LinkedHashMap<>();
        final Map<String, String> trailers = new LinkedHashMap<>();
        final List<Chunk> chunks = Collections.synchronizedList(new ArrayList<>());
        final long startNanos = System.nanoTime();

        Post(String path) {
            this.path = path;
        }

        byte[] body() {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            synchronized (chunks) {
                chunks.forEach(c -> b.writeBytes(c.bytes()));
            }
            return b.toByteArray();
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    record Event(String requestId, long deadlineMs, String body) {}

    private final ServerSocket server;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Map<String, BlockingQueue<Post>> done = new ConcurrentHashMap<>();
    private final Map<String, Long> fetchedAt = new ConcurrentHashMap<>();
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    FakeRuntimeApi() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "fake-runtime-api");
        t.setDaemon(true);
        t.start();
    }

    /** {@code 127.0.0.1:port}, as AWS_LAMBDA_RUNTIME_API. */
    String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Queues an event with a deadline {@code deadlineInMs} from now; returns its request id. */
    String enqueue(String eventJson, long deadlineInMs) {
        String id = UUID.randomUUID().toString();
        events.add(new Event(id, System.currentTimeMillis() + deadlineInMs, eventJson));
        return id;
    }

    /** The finished POST to {@code path} (e.g. {@code /init/error} or {@code /invocation/ID/response}). */
    Post await(String path, long timeoutMs) throws InterruptedException {
        Post p = queue(path).poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (p == null) {
            throw new AssertionError("no POST to " + path + " within " + timeoutMs + " ms; seen: " + done.keySet());
        }
        return p;
    }

    /** When the runtime fetched the event with this id (System.nanoTime). */
    long fetchedAt(String requestId) {
        return fetchedAt.getOrDefault(requestId, 0L);
    }

    private BlockingQueue<Post> queue(String path) {
        return done.computeIfAbsent(path, k -> new LinkedBlockingQueue<>());
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "fake-runtime-api-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            while (!closed) {
                String line = readLine(in);
                if (line == null || line.isEmpty()) {
                    return;
                }
                String[] parts = line.split(" ");
                String method = parts[0];
                String path = parts[1].substring(RuntimeApi.BASE.length());
                Post post = new Post(path);
                for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
                    int c = h.indexOf(':');
                    post.headers.put(h.substring(0, c).trim().toLowerCase(Locale.ROOT), h.substring(c + 1).trim());
                }
                if (method.equals("GET") && path.equals("/invocation/next")) {
                    Event e = events.take();
                    fetchedAt.put(e.requestId(), System.nanoTime());
                    byte[] body = e.body().getBytes(StandardCharsets.UTF_8);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            + "Lambda-Runtime-Aws-Request-Id: " + e.requestId() + "\r\n"
                            + "Lambda-Runtime-Deadline-Ms: " + e.deadlineMs() + "\r\n"
                            + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                    continue;
                }
                if ("chunked".equalsIgnoreCase(post.header("transfer-encoding"))) {
                    readChunked(in, post);
                } else {
                    int len = Integer.parseInt(post.headers.getOrDefault("content-length", "0"));
                    post.chunks.add(new Chunk(System.nanoTime(), in.readNBytes(len)));
                }
                out.write("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                queue(path).add(post);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // connection gone
        }
    }

    private static void readChunked(InputStream in, Post post) throws IOException {
        while (true) {
            String size = readLine(in);
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                for (String t = readLine(in); t != null && !t.isEmpty(); t = readLine(in)) {
                    int c = t.indexOf(':');
                    post.trailers.put(t.substring(0, c).trim().toLowerCase(Locale.ROOT), t.substring(c + 1).trim());
                }
                return;
            }
            byte[] data = in.readNBytes(n);
            post.chunks.add(new Chunk(System.nanoTime(), data));
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
