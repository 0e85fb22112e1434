package dev.sluice.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client on a bare socket, for what the SDKs hide: the exact bytes of each event, when each
 * one arrived, and hanging up abruptly in the middle of a response.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private boolean chunked;
    private long remaining = -1;
    private boolean bodyEnded;
    private final ByteArrayOutputStream pendingBody = new ByteArrayOutputStream();
    private final ByteArrayOutputStream allBody = new ByteArrayOutputStream();

    /** One server-sent event as received, blank line included, and when its last byte arrived. */
    public record Event(byte[] bytes, long receivedNanos) {
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    /** Sends a request; returns once it is written (call {@link #readHead} for the response). */
    public static RawHttp send(int port, String method, String path, Map<String, String> headers, byte[] body)
            throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setTcpNoDelay(true);
        RawHttp h = new RawHttp(s);
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        if (headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("Host"))) {
            head.append("Host: 127.0.0.1:").append(port).append("\r\n");
        }
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        var out = s.getOutputStream();
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        out.flush();
        return h;
    }

    /** POSTs JSON with a bearer key (null for none) and reads the response head. */
    public static RawHttp postJson(int port, String path, String key, String json, Duration timeout)
            throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        if (key != null) {
            h.put("Authorization", "Bearer " + key);
        }
        RawHttp r = send(port, "POST", path, h, json.getBytes(StandardCharsets.UTF_8));
        r.readHead(timeout);
        return r;
    }

    public RawHttp readHead(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        String statusLine = readLine();
        if (statusLine == null) {
            throw new IOException("the server closed the connection without a response");
        }
        status = Integer.parseInt(statusLine.split(" ")[1]);
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).trim());
        }
        chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
        if (!chunked && headers.containsKey("content-length")) {
            remaining = Long.parseLong(headers.get("content-length"));
        }
        return this;
    }

    public int status() {
        return status;
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** The next complete event, or null when the body ended; throws {@link SocketTimeoutException} on silence. */
    public Event nextEvent(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        while (true) {
            byte[] buf = pendingBody.toByteArray();
            for (int i = 0; i + 1 < buf.length; i++) {
                if (buf[i] == '\n' && buf[i + 1] == '\n') {
                    byte[] event = Arrays.copyOfRange(buf, 0, i + 2);
                    pendingBody.reset();
                    pendingBody.write(buf, i + 2, buf.length - i - 2);
                    return new Event(event, System.nanoTime());
                }
            }
            byte[] piece = readBodyPiece();
            if (piece == null) {
                return null;
            }
            pendingBody.write(piece);
        }
    }

    /** All remaining events until the body ends. */
    public List<Event> readEvents(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Event> out = new ArrayList<>();
        Event e;
        while ((e = nextEvent(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())))) != null) {
            out.add(e);
        }
        return out;
    }

    /** Bytes left unterminated by a blank line when the body ended (should be none for a well-formed stream). */
    public byte[] leftover() {
        return pendingBody.toByteArray();
    }

    /** The rest of the body as text (for JSON responses). */
    public String bodyText(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(pendingBody.toByteArray());
        pendingBody.reset();
        byte[] piece;
        while ((piece = readBodyPiece()) != null) {
            all.write(piece);
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    /** Everything the body has carried so far. */
    public byte[] bodySoFar() {
        return allBody.toByteArray();
    }

    private byte[] readBodyPiece() throws IOException {
        if (bodyEnded) {
            return null;
        }
        byte[] piece;
        if (chunked) {
            String sizeLine = readLine();
            if (sizeLine == null) {
                throw new IOException("connection closed inside a chunked body");
            }
            int n = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (n == 0) {
                String l;
                while ((l = readLine()) != null && !l.isEmpty()) {
                    // trailers
                }
                bodyEnded = true;
                return null;
            }
            piece = in.readNBytes(n);
            if (piece.length < n) {
                throw new IOException("connection closed inside a chunk");
            }
            readLine();
        } else if (remaining >= 0) {
            if (remaining == 0) {
                bodyEnded = true;
                return null;
            }
            byte[] buf = new byte[(int) Math.min(8192, remaining)];
            int n = in.read(buf);
            if (n < 0) {
                throw new IOException("connection closed inside the body");
            }
            remaining -= n;
            piece = Arrays.copyOf(buf, n);
        } else {
            byte[] buf = new byte[8192];
            int n = in.read(buf);
            if (n < 0) {
                bodyEnded = true;
                return null;
            }
            piece = Arrays.copyOf(buf, n);
        }
        allBody.write(piece);
        return piece;
    }

    private String readLine() throws IOException {
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
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** Hangs up at once, whatever is in flight. */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
