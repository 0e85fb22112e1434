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
