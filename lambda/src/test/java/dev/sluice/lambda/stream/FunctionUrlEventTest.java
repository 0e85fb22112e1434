package dev.sluice.lambda.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.protocol.ClientDialect;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FunctionUrlEventTest {
    @Test
    void a_payload_2_event_gives_method_path_query_headers_cookies_and_a_base64_body() throws Exception {
        String event = """
                {"version":"2.0","rawPath":"/v1/models","rawQueryString":"a=1&b=2",
                 "cookies":["c1=x","c2=y"],
                 "headers":{"Authorization":"Bearer k1","x-forwarded-for":"203.0.113.9"},
                 "requestContext":{"http":{"method":"POST","path":"/v1/models","sourceIp":"203.0.113.9"}},
                 "body":"eyJtIjoxfQ==","isBase64Encoded":true}
                """;
        FunctionUrlEvent e = FunctionUrlEvent.parse(event.getBytes(StandardCharsets.UTF_8));
        assertEquals("POST", e.method());
        assertEquals("/v1/models?a=1&b=2", e.pathAndQuery());
        assertEquals("Bearer k1", e.headers().get("authorization"));
        assertEquals("c1=x; c2=y", e.headers().get("cookie"));
        assertArrayEquals("{\"m\":1}".getBytes(StandardCharsets.UTF_8), e.body());
        assertEquals(ClientDialect.OPENAI, e.dialect());
        assertEquals(ClientDialect.ANTHROPIC, FunctionUrlEvent.parse(Events.functionUrl("POST", "/v1/messages", "{}")
                .getBytes(StandardCharsets.UTF_8)).dialect());
    }

    @Test
    void an_event_without_an_http_method_or_not_json_is_refused() {
        assertThrows(IOException.class, () -> FunctionUrlEvent.parse("{\"Records\":[]}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> FunctionUrlEvent.parse("[1]".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> FunctionUrlEvent.parse("nope".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void sse_is_forwarded_in_whole_events_and_other_bodies_straight_through() {
        SseCut sse = new SseCut(true);
        byte[] a = "data: 1\n\ndata: 2".getBytes(StandardCharsets.UTF_8);
        assertEquals("data: 1\n\n", new String(sse.add(a, a.length), StandardCharsets.UTF_8));
        byte[] b = "2\n\n".getBytes(StandardCharsets.UTF_8);
        assertEquals("data: 22\n\n", new String(sse.add(b, b.length), StandardCharsets.UTF_8));
        assertEquals(0, sse.rest().length);
        SseCut raw = new SseCut(false);
        assertEquals("{\"x\"", new String(raw.add("{\"x\"".getBytes(StandardCharsets.UTF_8), 4), StandardCharsets.UTF_8));
    }
}
