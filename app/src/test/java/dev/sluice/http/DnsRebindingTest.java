package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 13 item 6: DNS rebinding. A page on http://attacker.example:PORT whose name the attacker re-points at
 * 127.0.0.1 is same-origin with the gateway as far as the browser knows: its requests carry {@code Host} and
 * {@code Origin} both naming attacker.example, so no CORS check stops them, and with API_KEYS empty (the default)
 * any web page could use the backend. A gateway on loopback, or with authentication off, answers only to names it
 * knows: IP literals, localhost and ALLOWED_HOSTS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DnsRebindingTest {
    private static final String BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String OK = "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
            + "\"finish_reason\":\"stop\"}]}";

    private FakeRuntime vllm;
    private Gateway open;
    private Gateway listed;

    @BeforeAll
    void start() {
        vllm = FakeRuntime.vllm();
        open = Gateway.in(vllm); // the defaults: loopback, no keys
        listed = Gateway.in(vllm, "ALLOWED_HOSTS", "gateway.internal, llm.example.com");
    }

    @AfterAll
    void stop() {
        open.close();
        listed.close();
        vllm.close();
    }

    @BeforeEach
    void reset() {
        vllm.reset();
    }

    private static RawHttp post(Gateway g, String host, String origin) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", host);
        if (origin != null) {
            h.put("Origin", origin);
        }
        h.put("Content-Type", "application/json");
        RawHttp r = RawHttp.send(g.port(), "POST", "/v1/chat/completions", h, BODY.getBytes(StandardCharsets.UTF_8));
        return r.readHead(Duration.ofSeconds(10));
    }

    @Test
    void aRebindingPageWithAForeignHostAndAMatchingOriginIsRefused() throws Exception {
        int port = open.port();
        for (String host : List.of("attacker.example:" + port, "attacker.example", "127.0.0.1.nip.io:" + port,
                "localhost.attacker.example:" + port, "LOCALHOST.evil:" + port)) {
            try (RawHttp r = post(open, host, "http://" + host)) {
                assertThat(r.status()).as(host).isEqualTo(403);
                String body = r.bodyText(Duration.ofSeconds(5));
                assertThat(body).as(host).contains("ALLOWED_HOSTS").contains("permission_error");
            }
            try (RawHttp r = post(open, host, null)) {
                assertThat(r.status()).as(host + " without Origin").isEqualTo(403);
            }
        }
        assertThat(vllm.apiRequests()).isEmpty();
    }

    @Test
    void namesThatCannotBeReboundStillWork() throws Exception {
        int port = open.port();
        vllm.enqueue(Reply.json(OK));
        vllm.enqueue(Reply.json(OK));
        vllm.enqueue(Reply.json(OK));
        for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port)) {
            try (RawHttp r = post(open, host, null)) {
                assertThat(r.status()).as(host).isEqualTo(200);
            }
        }
        // probes and scrapes by IP (kubelet, Prometheus) are IP literals too
        try (RawHttp r = RawHttp.send(port, "GET", "/livez", Map.of("Host", "10.1.2.3:8000"), null)) {
            assertThat(r.readHead(Duration.ofSeconds(5)).status()).isEqualTo(200);
        }
    }

    @Test
    void allowedHostsAddsNamesExactly() throws Exception {
        vllm.enqueue(Reply.json(OK));
        vllm.enqueue(Reply.json(OK));
        try (RawHttp r = post(listed, "gateway.internal:8000", "http://gateway.internal:8000")) {
            assertThat(r.status()).isEqualTo(200);
        }
        try (RawHttp r = post(listed, "LLM.example.com", null)) {
            assertThat(r.status()).isEqualTo(200);
        }
        for (String host : List.of("evil.llm.example.com", "llm.example.com.evil", "gateway.internal.")) {
            try (RawHttp r = post(listed, host, null)) {
                assertThat(r.status()).as(host).isEqualTo(403);
            }
        }
    }

    @Test
    void theGuardAppliesOnLoopbackOrWithoutKeysOrWhenNamesAreListed() {
        var none = dev.sluice.config.HostAllowList.none();
        var listed = new dev.sluice.config.HostAllowList(List.of("llm.example.com"), false);
        var any = new dev.sluice.config.HostAllowList(List.of(), true);
        assertThat(new HostGuard(none, "127.0.0.1", true).enforced()).isTrue();
        assertThat(new HostGuard(none, "::1", true).enforced()).isTrue();
        assertThat(new HostGuard(none, "localhost", true).enforced()).isTrue();
        assertThat(new HostGuard(none, "0.0.0.0", false).enforced()).isTrue(); // no keys: anyone may use it
        assertThat(new HostGuard(none, "0.0.0.0", true).enforced()).isFalse(); // keys on a network address
        assertThat(new HostGuard(listed, "0.0.0.0", true).enforced()).isTrue();
        assertThat(new HostGuard(any, "127.0.0.1", false).enforced()).isFalse();
        HostGuard g = new HostGuard(listed, "0.0.0.0", false);
        assertThat(g.allows(null)).isTrue();
        assertThat(g.allows("192.168.1.20:8000")).isTrue();
        assertThat(g.allows("[fd00::1]:8000")).isTrue();
        assertThat(g.allows("llm.example.com:443")).isTrue();
        assertThat(g.allows("999.1.1.1")).isFalse();
        assertThat(g.allows("0x7f.1")).isFalse();
        assertThat(g.allows("[evil.example]")).isFalse();
    }
}
