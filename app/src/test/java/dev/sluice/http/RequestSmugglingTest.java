package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.Reply;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * G12, issue 13 item 11: a corpus of request-smuggling vectors sent raw. Each is refused with a 400 and its connection
 * closed, and nothing reaches the runtime, not even a request smuggled behind it. Before StrictHttp, Netty 4.2.20
 * served obs-fold and {@code Transfer-Encoding: identity, chunked}, absolute-form targets and requests with no Host or
 * two, and answered malformed chunks (bare LF, quoted extensions, bad sizes) with a 400 on a connection it left open.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestSmugglingTest {
    static final String BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String OK = "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
            + "\"finish_reason\":\"stop\"}]}";
    static final String POST = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/json\r\n";
    /** The request an attacker hopes the gateway reads as a second one: it must never reach the runtime. */
    static final String SMUGGLED = POST + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY;
    static final String LIVEZ = "GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    static final int L = BODY.length();

    static String chunked(String body) {
        return Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
    }

    static Stream<Arguments> refused() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("CL.TE", POST + "Content-Length: " + L + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(BODY)
                + SMUGGLED);
        v.put("TE.CL", POST + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n" + chunked(BODY) + SMUGGLED);
        v.put("duplicate CL, same value", POST + "Content-Length: " + L + "\r\nContent-Length: " + L + "\r\n\r\n" + BODY
                + SMUGGLED);
        v.put("duplicate CL, different values", POST + "Content-Length: " + L + "\r\nContent-Length: 3\r\n\r\n" + BODY
                + SMUGGLED);
        v.put("CL list", POST + "Content-Length: " + L + ", " + L + "\r\n\r\n" + BODY + SMUGGLED);
        v.put("signed CL", POST + "Content-Length: +" + L + "\r\n\r\n" + BODY + SMUGGLED);
        v.put("negative CL", POST + "Content-Length: -1\r\n\r\n" + BODY + SMUGGLED);
        v.put("bare LF line ends", "GET /livez HTTP/1.1\nHost: 127.0.0.1\n\n" + SMUGGLED);
        v.put("bare LF in one header line", LIVEZ.replace("\r\nHost", "\nHost") + "\r\n" + SMUGGLED);
        v.put("bare LF after chunk size (CVE-2025-58056)", POST + "Transfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(L) + "\n" + BODY + "\r\n0\r\n\r\n" + SMUGGLED);
        v.put("bare LF in chunk extension", POST + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(L)
                + ";a\n" + BODY + "\r\n0\r\n\r\n" + SMUGGLED);
        v.put("quoted chunk extension with CRLF (CVE-2026-33870)", POST + "Transfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(L) + ";a=\"b\r\nc\"\r\n" + BODY + "\r\n0\r\n\r\n" + SMUGGLED);
        v.put("chunk size overflow", POST + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff1\r\n" + BODY
                + "\r\n0\r\n\r\n" + SMUGGLED);
        v.put("chunk size with trailing space", POST + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(L)
                + " \r\n" + BODY + "\r\n0\r\n\r\n" + SMUGGLED);
        v.put("non-hex chunk size", POST + "Transfer-Encoding: chunked\r\n\r\n0x" + Integer.toHexString(L) + "\r\n"
                + BODY + "\r\n0\r\n\r\n" + SMUGGLED);
        v.put("obs-fold", LIVEZ + "X-A: a\r\n b\r\n\r\n" + SMUGGLED);
        v.put("obs-fold with a tab", LIVEZ + "X-A: a\r\n\tb\r\n\r\n" + SMUGGLED);
        v.put("obs-fold hiding Transfer-Encoding", POST + "Content-Length: " + L + "\r\nX-A: a\r\n Transfer-Encoding:"
                + " chunked\r\n\r\n" + BODY + SMUGGLED);
        v.put("obs-fold continuing Transfer-Encoding", POST + "Content-Length: " + L + "\r\nTransfer-Encoding:\r\n"
                + " chunked\r\n\r\n" + chunked(BODY) + SMUGGLED);
        v.put("whitespace line before the first header", "GET /livez HTTP/1.1\r\n Host: 127.0.0.1\r\n\r\n" + SMUGGLED);
        v.put("NUL in a header value", LIVEZ + "X-A: a\0b\r\n\r\n" + SMUGGLED);
        v.put("NUL in a header name", LIVEZ + "X\0A: ab\r\n\r\n" + SMUGGLED);
        v.put("bare CR in a header value", LIVEZ + "X-A: a\rb\r\n\r\n" + SMUGGLED);
        v.put("space before colon", LIVEZ + "X-A : b\r\n\r\n" + SMUGGLED);
        v.put("space before colon in Transfer-Encoding", POST + "Content-Length: " + L
                + "\r\nTransfer-Encoding : chunked\r\n\r\n" + chunked(BODY) + SMUGGLED);
        v.put("tab before colon", LIVEZ + "X-A\t: b\r\n\r\n" + SMUGGLED);
        v.put("TE xchunked", POST + "Transfer-Encoding: xchunked\r\n\r\n" + chunked(BODY) + SMUGGLED);
        v.put("TE chunked, identity", POST + "Transfer-Encoding: chunked, identity\r\n\r\n" + chunked(BODY)
                + SMUGGLED);
        v.put("TE identity, chunked", POST + "Transfer-Encoding: identity, chunked\r\n\r\n" + chunked(BODY)
                + SMUGGLED);
        v.put("TE twice", POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(BODY)
                + SMUGGLED);
        v.put("TE on HTTP/1.0", POST.replace("HTTP/1.1", "HTTP/1.0") + "Transfer-Encoding: chunked\r\n\r\n"
                + chunked(BODY) + SMUGGLED);
        v.put("HTTP/0.9", "GET /livez\r\n\r\n" + SMUGGLED);
        v.put("absolute-form target", "GET http://evil.example/livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + SMUGGLED);
        v.put("authority-form (CONNECT)", "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n"
                + SMUGGLED);
        v.put("no Host on HTTP/1.1", "GET /livez HTTP/1.1\r\n\r\n" + SMUGGLED);
        v.put("two Host headers", LIVEZ + "Host: evil.example\r\n\r\n" + SMUGGLED);
        v.put("control character in the request line", "GET /livez\u0001 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                + SMUGGLED);
        return v.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    private FakeRuntime vllm;
    private Gateway gateway;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        gateway = Gateway.in(vllm);
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

    /** The status of every response on the connection, and whether the gateway closed it (within 3 s). */
    record Exchange(List<Integer> statuses, boolean closed) {}

    Exchange send(String raw) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
            s.setSoTimeout(3_000);
            s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            boolean closed;
            try {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    all.write(buf, 0, n);
                }
                closed = true;
            } catch (SocketTimeoutException e) {
                closed = false;
            } catch (java.net.SocketException e) {
                closed = true; // reset
            }
            List<Integer> statuses = new ArrayList<>();
            Matcher m = Pattern.compile("HTTP/1\\.1 (\\d{3}) ").matcher(all.toString(StandardCharsets.ISO_8859_1));
            while (m.find()) {
                statuses.add(Integer.parseInt(m.group(1)));
            }
            return new Exchange(statuses, closed);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void eachVectorIsRefusedWith400AndItsConnectionClosed(String name, String raw) throws Exception {
        vllm.enqueue(Reply.json(OK));
        Exchange e = send(raw);
        assertThat(e.statuses()).as(name).containsExactly(400);
        assertThat(e.closed()).as(name + ": connection closed").isTrue();
        assertThat(vllm.apiRequests()).as(name + ": nothing reached the runtime").isEmpty();
    }

    @Test
    void theCorpusHasAtLeastThirtyVectors() {
        assertThat(refused().count()).isGreaterThanOrEqualTo(30);
    }

    @Test
    void wellFormedRequestsStillWorkIncludingPipelinedOnesAndRfcAllowedSpellings() throws Exception {
        String pretty = "{\r\n  \"model\": \"m\",\r\n  \"messages\": [\r\n    {\"role\": \"user\", \"content\": \"hi\"}"
                + "\r\n  ]\r\n}";
        for (String raw : List.of(
                POST + "Content-Length: " + pretty.length() + "\r\n\r\n" + pretty,
                POST + "Transfer-Encoding: chunked\r\n\r\n" + chunked(pretty),
                POST + "Transfer-Encoding:\tchunked\r\n\r\n" + chunked(BODY),
                POST + "Transfer-Encoding: CHUNKED\r\n\r\n" + chunked(BODY))) {
            vllm.enqueue(Reply.json(OK));
            Exchange e = send(raw + LIVEZ + "Connection: close\r\n\r\n");
            assertThat(e.statuses()).as(raw).containsExactly(200, 200);
        }
        assertThat(vllm.apiRequests()).hasSize(4);
    }

    @Test
    void nettyIsAtLeastTheReleaseWithTheKnownSmugglingFixes() {
        String version = io.netty.util.Version.identify().get("netty-codec-http").artifactVersion();
        String[] parts = version.split("[.-]");
        int[] n = {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
        assertThat(n[0] > 4 || n[0] == 4 && (n[1] > 2 || n[1] == 2 && n[2] >= 13))
                .as("netty-codec-http " + version + " >= 4.2.13.Final (CVE-2025-58056, CVE-2026-33870,"
                        + " CVE-2026-42578)").isTrue();
    }
}
