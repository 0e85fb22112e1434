package dev.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One member read without the tree of the rest gives what the whole tree gives: on every recorded body, on edge
 * cases (repeated, nested, non-object, truncated) and on thousands of bodies mutated at JSON's structural bytes.
 */
class JsonMemberTest {

    /** What the tree says: the member of a parsed object, or null when the body is no object. */
    private static JsonNode viaTree(byte[] body) {
        JsonNode root = Json.tryParse(body);
        return root == null || !root.isObject() ? null : root.path("usage");
    }

    private static void agree(byte[] body) {
        assertThat(Json.member(body, "usage")).as(new String(body, StandardCharsets.UTF_8)).isEqualTo(viaTree(body));
    }

    @Test
    void agreesWithTheTreeOnEdgeCases() {
        for (String s : List.of("{}", "{\"usage\":{\"prompt_tokens\":3}}", "{\"usage\":null}", "{\"usage\":7}",
                "{\"usage\":{\"a\":1},\"usage\":{\"b\":2}}", "{\"x\":{\"usage\":{\"a\":1}}}", "[{\"usage\":{}}]", "\"s\"",
                "{\"usage\":{\"a\":1}", "{\"usage\":{\"a\":1}} trailing", "{\"a\":[1,2,{\"usage\":3}],\"usage\":[]}",
                "{\"usage\":{\"prompt_tokens_details\":{\"cached_tokens\":5},\"prompt_tokens\":9}}", "{,}", "",
                "{\"a\":\"\\u0075sage\",\"\\u0075sage\":{\"z\":1}}")) {
            agree(s.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void agreesWithTheTreeOnRecordedAndMutatedBodies() throws IOException {
        List<byte[]> bodies = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/test/resources/fixtures"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                bodies.add(Files.readAllBytes(f));
            }
        }
        assertThat(bodies).hasSizeGreaterThan(20);
        long withUsage = bodies.stream().filter(b -> viaTree(b) != null && viaTree(b).isObject()).count();
        assertThat(withUsage).as("recorded bodies with usage").isGreaterThan(5);
        Random r = new Random(20261208L);
        String structural = "{}[]\",:0 ";
        for (byte[] body : bodies) {
            agree(body);
            for (int n = 0; n < 300; n++) {
                byte[] m = body.clone();
                for (int k = 1 + r.nextInt(3); k > 0; k--) {
                    m[r.nextInt(m.length)] = (byte) structural.charAt(r.nextInt(structural.length()));
                }
                agree(m);
            }
        }
    }
}
