package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.Gateway;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** MAX_CONNECTIONS, MAX_HEADERS and CLIENT_IDLE_TIMEOUT_S (issue 13 item 4). */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConnectionLimitsTest {

    @Test
    void past_max_connections_a_new_connection_is_closed_unread_and_a_freed_slot_is_served() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (Gateway gw = Gateway.builder().env("BACKEND_KIND", "sim").env("MAX_CONNECTIONS", 10).start()) {
            for (int i = 0; i < 10; i++) {
                held.add(new Socket(InetAddress.getLoopbackAddress(), gw.port()));
            }
            Thread.sleep(300);
            try (Socket extra = new Socket(InetAddress.getLoopbackAddress(), gw.port())) {
                assertThat(answer(extra, "GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).isEmpty();
            }
            held.remove(0).close();
            Thread.sleep(300);
            try (Socket next = new Socket(InetAddress.getLoopbackAddress(), gw.port())) {
                assertThat(answer(next, "GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
                        .startsWith("HTTP/1.1 200");
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void more_than_max_headers_get_431_and_the_limit_itself_passes() throws Exception {
        try (Gateway gw = Gateway.builder().env("BACKEND_KIND", "sim").env("MAX_HEADERS", 20).start()) {
            try (Socket ok = new Socket(InetAddress.getLoopbackAddress(), gw.port())) {
                assertThat(answer(ok, request(20))).startsWith("HTTP/1.1 200");
            }
            try (Socket many = new Socket(InetAddress.getLoopbackAddress(), gw.port())) {
                assertThat(answer(many, request(21))).startsWith("HTTP/1.1 431").contains("MAX_HEADERS");
            }
        }
    }

    @Test
    void an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() throws Exception {
        try (Gateway gw = Gateway.builder().env("BACKEND_KIND", "sim").env("CLIENT_IDLE_TIMEOUT_S", 1).start();
                Socket s = new Socket(InetAddress.getLoopbackAddress(), gw.port())) {
            s.getOutputStream().write("GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            String got = readUntilClosed(s, 10_000);
            double after = (System.nanoTime() - start) / 1e9;
            assertThat(got).startsWith("HTTP/1.1 200");
            assertThat(after).isBetween(0.9, 8.0);
        }
    }

    /** A GET with {@code lines} header lines in all (Host, Connection and fillers). */
    private static String request(int lines) {
        StringBuilder b = new StringBuilder("GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        for (int i = 2; i < lines; i++) {
            b.append("X-Filler-").append(i).append(": v\r\n");
        }
        return b.append("\r\n").toString();
    }

    private static String answer(Socket s, String request) throws IOException {
        try {
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return ""; // refused before the request could be written
        }
        return readUntilClosed(s, 5000);
    }

    private static String readUntilClosed(Socket s, int timeoutMillis) throws IOException {
        s.setSoTimeout(timeoutMillis);
        StringBuilder got = new StringBuilder();
        try (InputStream in = s.getInputStream()) {
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) >= 0; ) {
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the gateway did not close the connection; got: " + got);
        } catch (IOException e) {
            // reset: closed too
        }
        return got.toString();
    }
}
