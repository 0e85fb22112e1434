package dev.sluice.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.JsonCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The pass-through's allocation-free JSON check against the gateway's own Jackson parser: both must agree on every
 * recorded chunk, on hand-picked edge cases, and on thousands of chunks mutated at the characters that matter to
 * JSON's grammar.
 */
class JsonCheckPropertyTest {
    private static final long SEED = Long.getLong("sluice.fuzz.seed", 20261207L);
    private static final int RUNS = Integer.getInteger("sluice.fuzz.runs", 2000) * 10;
    private static final String ALPHABET = "{}[]\":,\\/ \t\n\r0123456789-+.eEtruefalsn\u0001\u00e9\ud83d";

    @Test
    void agreesWithJacksonOnEdgeCases() {
        List<String> cases = List.of("{}", " {} ", "{\"a\":1}", "{\"a\":-0.5e+10}", "{\"a\":01}", "{\"a\":1.}",
                "{\"a\":.5}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":\"\\u00e9\"}", "{\"a\":\"\\u00g9\"}", "{\"a\":\"\\x\"}",
                "{\"a\":\"tab\there\"}", "{\"a\":[1,2,]}", "{\"a\":[,]}", "{\"a\":[]}", "{,}", "{\"a\" 1}", "{\"a\":1}}",
                "{\"a\":1} x", "[1]", "\"s\"", "1", "", "{", "{\"a\":tru}", "{\"a\":nul}", "{\"a\":true1}",
                "{\"a\":null,\"b\":false,\"c\":{\"d\":[{}]}}", "{'a':1}", "{a:1}", "{\"a\":NaN}", "{\"a\":1}\n\n",
                "{\"a\":\"unterminated}", "{\"a\":\"\\\"}", "{\"a\":-01}", "{\"a\":1E5}", "{\"a\":0e0}",
                "{\"a\":" + "[".repeat(Json.MAX_DEPTH - 1) + "]".repeat(Json.MAX_DEPTH - 1) + "}",
                "{\"a\":" + "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH) + "}");
        for (String c : cases) {
            assertThat(JsonCheck.isObject(c)).as(c.length() > 80 ? c.substring(0, 80) + "…" : c).isEqualTo(jackson(c));
        }
    }

    /**
     * Every byte that ends or escapes a string, or may not appear raw in one, and the bytes either side of them in
     * value, at every position of strings up to 24 bytes long, in a value, a name and an array.
     */
    @Test
    void agreesWithJacksonOnEverySpecialByteAtEveryOffsetOfAWord() {
        String[] specials = {"\"", "\\", "\\\"", "\\n", "\\u00e9", "\\u00zz", "\u0001", "\u001f", " ", "!", "#", "[",
            "]", "\u007f", "\u00e9", "\\x", "\t"};
        int checked = 0;
        for (int len = 0; len <= 24; len++) {
            for (int at = 0; at <= len; at++) {
                for (String special : specials) {
                    String inner = "a".repeat(at) + special + "b".repeat(len - at);
                    for (String c : List.of("{\"k\":\"" + inner + "\"}", "{\"" + inner + "\":1}",
                            "{\"k\":[\"" + inner + "\",\"x\"]}")) {
                        assertThat(JsonCheck.isObject(c)).as(c).isEqualTo(jackson(c));
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).as("every length, offset and byte").isEqualTo(325 * specials.length * 3);
    }

    @Test
    void agreesWithJacksonOnRecordedAndMutatedChunks() {
        List<String> chunks = new ArrayList<>();
        for (byte[] stream : FuzzSeeds.openAiStreams()) {
            for (String line : new String(stream, StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("data:") && !line.contains("[DONE]")) {
                    chunks.add(line.substring(5).strip());
                }
            }
        }
        assertThat(chunks).hasSizeGreaterThan(50);
        int valid = 0;
        for (String c : chunks) {
            assertThat(JsonCheck.isObject(c)).as(c).isEqualTo(jackson(c));
            valid += jackson(c) ? 1 : 0;
        }
        assertThat(valid).as("the recorded chunks are mostly JSON objects").isGreaterThan(chunks.size() / 2);
        Random r = new Random(SEED);
        int accepted = 0;
        for (int n = 0; n < RUNS; n++) {
            String m = mutate(r, chunks.get(r.nextInt(chunks.size())));
            boolean expected = jackson(m);
            assertThat(JsonCheck.isObject(m)).as("mutated chunk %s", m).isEqualTo(expected);
            accepted += expected ? 1 : 0;
        }
        // both outcomes must be exercised, or the comparison proves little
        assertThat(accepted).isBetween(RUNS / 20, RUNS - RUNS / 20);
    }

    private static String mutate(Random r, String s) {
        StringBuilder b = new StringBuilder(s);
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits && !b.isEmpty(); e++) {
            int at = r.nextInt(b.length());
            char c = ALPHABET.charAt(r.nextInt(ALPHABET.length()));
            switch (r.nextInt(4)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> b.insert(at, c);
                case 2 -> b.setCharAt(at, c);
                default -> {
                    // an edit that keeps it valid often: a space, or a digit next to a digit
                    b.insert(at, Character.isDigit(b.charAt(at)) ? '7' : ' ');
                }
            }
        }
        return b.toString();
    }

    /** What the pass-through did before: one tokenising parse with the gateway's parser. */
    private static boolean jackson(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        try (JsonParser p = Json.MAPPER.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
