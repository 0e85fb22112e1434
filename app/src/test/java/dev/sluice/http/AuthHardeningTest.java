package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 13 item 8: failed keys were never rate limited (authentication runs before the limiter), and a 401 left the
 * connection open while the rest of a large upload was read and drained. Now failures are throttled per client
 * address, and a refusal closes the connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthHardeningTest {
    static final String KEY = "sk-sluice-0123456789abcdef0123456789abcdef";
    static final String BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String OK = "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
            + "\"finish_reason\":\"stop\"}]}";

    private FakeRuntime vllm;
    private Gateway gateway;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        gateway = Gateway.in(vllm, "API_KEYS", KEY, "AUTH_FAILURES_PER_MINUTE", 5);
    }

    @AfterAll
    void stop() {
        gateway.close();
        vllm.close();
    }

    @BeforeEach
    void reset() {
        vllm.reset();
    }

    /** A response's status line and whether the server closed the connection after it. */
    record Answer(int status, String head, boolean closed, long millis) {}

    /** One request from {@code localAddress}; {@code declared} may exceed what is sent of {@code body}. */
    Answer post(String localAddress, String key, long declared, byte[] body) throws IOException {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(localAddress, 0));
            s.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + (key == null ? "" : "Authorization: Bearer " + key + "\r\n") + "Content-Length: " + declared
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            String text = head.toString(StandardCharsets.ISO_8859_1);
            boolean closed;
            s.setSoTimeout(2_000);
            try {
                while (in.read(new byte[8192]) >= 0) {
                    // the rest of the response body
                }
                closed = true;
            } catch (SocketTimeoutException e) {
                closed = false;
            }
            return new Answer(Integer.parseInt(text.split(" ")[1]), text, closed, millis);
        }
    }

    @Test
    void failedKeysAreThrottledPerClientAddress() throws Exception {
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 5; i++) {
            assertThat(post("127.0.0.3", "wrong-" + i, body.length, body).status()).isEqualTo(401);
        }
        Answer throttled = post("127.0.0.3", "wrong-5", body.length, body);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.head().toLowerCase()).contains("retry-after:");
        // while it waits, the address is refused before its key is looked at: a right guess looks like a wrong one
        assertThat(post("127.0.0.3", KEY, body.length, body).status()).isEqualTo(429);
        assertThat(post("127.0.0.3", null, body.length, body).status()).isEqualTo(429);
        // another address has its own budget
        vllm.enqueue(Reply.json(OK));
        assertThat(post("127.0.0.4", "wrong", body.length, body).status()).isEqualTo(401);
        assertThat(post("127.0.0.4", KEY, body.length, body).status()).isEqualTo(200);
        assertThat(vllm.apiRequests()).hasSize(1);
    }

    @Test
    void aRefusedUploadIsAnsweredAtOnceAndItsConnectionClosed() throws Exception {
        byte[] first = new byte[64 * 1024];
        java.util.Arrays.fill(first, (byte) ' ');
        Answer a = post("127.0.0.5", "wrong", 10L * 1024 * 1024, first);
        System.out.printf("AUTH refused upload: %d after %d ms, connection closed: %s (64 KiB of a declared 10 MiB"
                + " sent)%n", a.status(), a.millis(), a.closed());
        assertThat(a.status()).isEqualTo(401);
        assertThat(a.head().toLowerCase()).contains("connection: close");
        assertThat(a.closed()).as("the gateway closed the connection instead of draining the upload").isTrue();
        assertThat(a.millis()).isLessThan(1_000);
        assertThat(vllm.apiRequests()).isEmpty();
    }
}
