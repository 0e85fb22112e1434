package dev.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The streaming cost check that runs before any request tree is built (issue 13 item 1). */
class JsonBudgetTest {
    static final JsonBudget.Limits LIMITS = new JsonBudget.Limits(1_000, 100, Map.of("messages", 10, "tools", 3));

    static JsonBudget.Violation check(String json) {
        return JsonBudget.check(json.getBytes(StandardCharsets.UTF_8), LIMITS);
    }

    static String repeat(String item, int n) {
        return String.join(",", java.util.Collections.nCopies(n, item));
    }

    @Test
    void anOrdinaryRequestIsWithinEveryCap() {
        assertThat(check("{\"model\":\"m\",\"messages\":[" + repeat("{\"role\":\"user\",\"content\":\"hi\"}", 10)
                + "],\"tools\":[{},{},{}],\"max_tokens\":5}")).isNull();
    }

    @Test
    void anArrayBombIsRefusedByItsNodeCountBeforeItsEnd() {
        StringBuilder b = new StringBuilder("{\"a\":0");
        for (int i = 0; i < 12; i++) {
            b.append(",\"f").append(i).append("\":[").append(repeat("{}", 99)).append(']');
        }
        JsonBudget.Violation v = check(b.append('}').toString());
        assertThat(v).isEqualTo(new JsonBudget.Violation(JsonBudget.Kind.NODES, null, 1_000));
    }

    @Test
    void anyOneArrayLongerThanTheArrayCapIsRefusedWhereverItIs() {
        assertThat(check("{\"a\":{\"b\":[[" + repeat("0", 101) + "]]}}"))
                .isEqualTo(new JsonBudget.Violation(JsonBudget.Kind.ARRAY_LENGTH, null, 100));
        assertThat(check("[" + repeat("0", 101) + "]"))
                .isEqualTo(new JsonBudget.Violation(JsonBudget.Kind.ARRAY_LENGTH, null, 100));
        assertThat(check("{\"a\":[" + repeat("0", 100) + "]}")).isNull();
    }

    @Test
    void messagesAndToolsHaveTheirOwnCapsAtTheTopLevelOnly() {
        assertThat(check("{\"messages\":[" + repeat("{}", 11) + "]}"))
                .isEqualTo(new JsonBudget.Violation(JsonBudget.Kind.FIELD_LENGTH, "messages", 10));
        assertThat(check("{\"tools\":[" + repeat("{}", 4) + "]}"))
                .isEqualTo(new JsonBudget.Violation(JsonBudget.Kind.FIELD_LENGTH, "tools", 3));
        // a nested "messages" is ordinary data
        assertThat(check("{\"metadata\":{\"messages\":[" + repeat("{}", 11) + "]}}")).isNull();
        // the next top-level field is not confused with the capped one
        assertThat(check("{\"tools\":[],\"stop\":[" + repeat("\"x\"", 4) + "]}")).isNull();
    }

    /**
     * A body short enough that no cap can be reached is not counted at all: the densest bodies (one-byte values,
     * one comma each) and random ones around that length get the verdict of the counting pass itself.
     */
    @Test
    void theShortBodyShortcutNeverHidesAViolation() {
        JsonBudget.Limits tight = new JsonBudget.Limits(24, 12, Map.of("messages", 10));
        java.util.List<String> bodies = new java.util.ArrayList<>();
        for (int k = 0; k <= 30; k++) {
            bodies.add("[" + repeat("0", k) + "]");
            bodies.add("{\"messages\":[" + repeat("0", k) + "]}");
            bodies.add("[" + "[".repeat(k) + "]".repeat(k) + "]");
            bodies.add("[" + repeat("[]", k) + "]");
        }
        java.util.Random r = new java.util.Random(20261208L);
        String alphabet = "[]{}0,:\"";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int n = r.nextInt(40); n > 0; n--) {
                b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            bodies.add(b.toString());
        }
        int shortcut = 0;
        for (String body : bodies) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            JsonBudget.Violation counted = JsonBudget.check(new java.io.ByteArrayInputStream(bytes), tight);
            assertThat(JsonBudget.check(bytes, tight)).as(body).isEqualTo(counted);
            if (JsonBudget.withinByLength(bytes.length, tight)) {
                shortcut++;
                assertThat(counted).as("within by length, so within: " + body).isNull();
            }
        }
        assertThat(shortcut).as("the shortcut was taken").isGreaterThan(1000);
        assertThat(JsonBudget.check(("[" + repeat("0", 13) + "]").getBytes(StandardCharsets.UTF_8), tight))
                .isEqualTo(new JsonBudget.Violation(JsonBudget.Kind.ARRAY_LENGTH, null, 12));
    }

    @Test
    void bytesThatAreNotJsonAreLeftToTheParserToDescribe() {
        assertThat(check("{\"a\":")).isNull();
        assertThat(check("not json")).isNull();
        assertThat(check("[".repeat(5_000))).isNull();
    }

    @Test
    void aTenMebibyteBombIsCheckedQuicklyAndWithoutATree() {
        byte[] bomb = ("{\"x\":[" + repeat("{}", 3_500_000) + "]}").getBytes(StandardCharsets.UTF_8);
        JsonBudget.Limits real = new JsonBudget.Limits(500_000, 300_000, Map.of());
        long t0 = System.nanoTime();
        JsonBudget.Violation v = JsonBudget.check(bomb, real);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(v).isNotNull();
        assertThat(ms).isLessThan(1_000);
    }
}
