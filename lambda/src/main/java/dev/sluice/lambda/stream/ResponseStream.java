package dev.sluice.lambda.stream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One {@code POST .../invocation/{id}/response} in streaming mode, written by hand on a socket: HTTP/1.1 chunked
 * encoding, each {@link #write} flushed as one chunk, and a failure after the first byte reported in the
 * {@code Lambda-Runtime-Function-Error-Type} / {@code -Body} trailers (the only place left to report it).
 */
public final class ResponseStream implements AutoCloseable {
    static final String CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
    private static final byte[] CRLF = {'\r', '\n'};

    private final Socket socket;
    private final OutputStream out;
    private boolean ended;

    private ResponseStream(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    static ResponseStream open(String host, int port, String path, String hostHeader) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), 5_000);
        ResponseStream r = new ResponseStream(s);
        String head = "POST " + path + " HTTP/1.1\r\n"
                + "Host: " + hostHeader + "\r\n"
                + "Lambda-Runtime-Function-Response-Mode: streaming\r\n"
                + "Content-Type: " + CONTENT_TYPE + "\r\n"
                + "Transfer-Encoding: chunked\r\n"
                + "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n"
                + "Connection: close\r\n\r\n";
        r.out.write(head.getBytes(StandardCharsets.US_ASCII));
        r.out.flush();
        return r;
    }

    /** One chunk, flushed now. */
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        out.write(Integer.toHexString(len).getBytes(StandardCharsets.US_ASCII));
        out.write(CRLF);
        out.write(b, off, len);
        out.write(CRLF);
        out.flush();
    }

    public void write(byte[] b) throws IOException {
        write(b, 0, b.length);
    }

    /** The last chunk, no trailers: a complete response. */
    public void finish() throws IOException {
        end("0\r\n\r\n");
    }

    /** The last chunk with the error trailers: the invocation failed mid-stream. */
    public void fail(String type, String message) throws IOException {
        String body = Base64.getEncoder().encodeToString(RuntimeApi.errorBody(type, message));
        end("0\r\nLambda-Runtime-Function-Error-Type: " + type.replaceAll("[\\r\\n]", " ") + "\r\n"
                + "Lambda-Runtime-Function-Error-Body: " + body + "\r\n\r\n");
    }

    private void end(String last) throws IOException {
        ended = true;
        out.write(last.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        // the Runtime API answers 202 once it has the whole response; reading it keeps the order with /next
        socket.setSoTimeout(5_000);
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        String status = in.readLine();
        if (status == null || !status.matches("HTTP/1\\.[01] 2\\d\\d.*")) {
            throw new IOException("runtime API answered the response with: " + status);
        }
    }

    boolean ended() {
        return ended;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
