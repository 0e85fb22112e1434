package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.sse.SseDecoder;
import dev.sluice.protocol.sse.SseEvent;
import dev.sluice.testing.ByteSplits;
import dev.sluice.testing.Sse;
import dev.sluice.testing.TestResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden transcripts for {@link OpenAiPassthroughStream} (style.md §5): each
 * {@code transcripts/openai-passthrough/<scenario>.in.sse} is decoded, run through the translator and compared
 * event by event with {@code <scenario>.out.sse}; {@code data} is compared as JSON. Options per scenario live in
 * {@code scenarios.json}; where each input came from is in the README beside them.
 *
 * <p>Regenerate the expected outputs with {@code -Dsluice.regenerate=true}, then review the diff before committing.
 */
class OpenAiPassthroughStreamTranscriptTest {
    private static final String DIR = "transcripts/openai-passthrough";
    private static final boolean REGENERATE = Boolean.getBoolean("sluice.regenerate");
    private static final int RANDOM_SPLITS = 4;

    record Options(boolean clientWantsUsage, String rewriteModelTo, String secret) {}

    static JsonNode scenarioTable() {
        try {
            return Json.parse(TestResources.bytes(DIR + "/scenarios.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> scenarios() {
        List<String> names = new ArrayList<>();
        scenarioTable().fieldNames().forEachRemaining(names::add);
        return names;
    }

    static Options options(String scenario) {
        JsonNode o = scenarioTable().get(scenario);
        return new Options(o.path("clientWantsUsage").asBoolean(false), Json.text(o, "rewriteModelTo"),
                Json.text(o, "secret"));
    }

    static Stream<Arguments> scenariosAndSplits() {
        List<Arguments> out = new ArrayList<>();
        for (String s : scenarios()) {
            out.add(Arguments.of(s, "whole"));
            out.add(Arguments.of(s, "every byte"));
            for (int seed = 1; seed <= RANDOM_SPLITS; seed++) {
                out.add(Arguments.of(s, "random seed " + seed));
            }
        }
        return out.stream();
    }

    static List<byte[]> split(String how, byte[] in, String scenario) {
        if (how.equals("whole")) {
            return ByteSplits.whole(in);
        }
        if (how.equals("every byte")) {
            return ByteSplits.everyByte(in);
        }
        long seed = Long.parseLong(how.substring("random seed ".length())) * 1_000_003L + scenario.hashCode();
        return ByteSplits.random(in, seed, 1 + (int) Math.floorMod(seed, 400L));
    }

    /**
     * What StreamRelay does: decode each read, hand every event to the translator, end the stream, and scrub the
     * backend's key from the error events (the relay is the one place that does it).
     */
    static byte[] translate(List<byte[]> chunks, Options o) {
        OpenAiPassthroughStream translator = new OpenAiPassthroughStream(o.clientWantsUsage(), o.rewriteModelTo());
        SseDecoder decoder = new SseDecoder();
        List<SseEvent> events = new ArrayList<>();
        List<byte[]> out = new ArrayList<>();
        for (byte[] chunk : chunks) {
            decoder.feed(chunk, events);
            for (SseEvent e : events) {
                translator.onEvent(e, out);
            }
            events.clear();
        }
        translator.onEnd(out);
        if (translator.failed()) {
            out.replaceAll(event -> dev.sluice.protocol.UpstreamErrors.scrub(event, o.secret()));
        }
        assertThat(translator.terminated()).as("terminated after onEnd").isTrue();
        byte[] bytes = Sse.concat(out);
        assertThat(translator.failed()).as("failed() agrees with the terminal event")
                .isEqualTo(isErrorChunk(Sse.decode(bytes).getLast()));
        return bytes;
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("scenariosAndSplits")
    void everyScenarioMatchesItsGoldenTranscript(String scenario, String splitHow) throws IOException {
        Options o = options(scenario);
        byte[] in = TestResources.bytes(DIR + "/" + scenario + ".in.sse");

        byte[] actual = translate(split(splitHow, in, scenario), o);

        byte[] expected;
        if (REGENERATE) {
            Path golden = sourceDir().resolve(scenario + ".out.sse");
            if (splitHow.equals("whole")) {
                Files.write(golden, actual);
            }
            expected = Files.readAllBytes(golden);
        } else {
            expected = TestResources.bytes(DIR + "/" + scenario + ".out.sse");
        }
        assertSameEvents(scenario, Sse.decode(expected), Sse.decode(actual));
        assertInvariants(scenario, o, actual);
        assertThat(actual).as("the split must not change a single output byte")
                .isEqualTo(translate(ByteSplits.whole(in), o));
    }

    @Test
    void everyInputHasOptionsAndAGoldenOutput() throws Exception {
        Path dir = Path.of(getClass().getResource("/" + DIR).toURI());
        TreeSet<String> inputs = new TreeSet<>();
        TreeSet<String> outputs = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).forEach(f -> {
                if (f.endsWith(".in.sse")) {
                    inputs.add(f.substring(0, f.length() - ".in.sse".length()));
                } else if (f.endsWith(".out.sse")) {
                    outputs.add(f.substring(0, f.length() - ".out.sse".length()));
                }
            });
        }
        assertThat(inputs).isNotEmpty().isEqualTo(new TreeSet<>(scenarios())).isEqualTo(outputs);
        String readme = TestResources.text(DIR + "/README.md");
        assertThat(inputs).allSatisfy(s -> assertThat(readme).as("README provenance").contains("`" + s + "`"));
    }

    // --- comparison ---

    static void assertSameEvents(String scenario, List<SseEvent> expected, List<SseEvent> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            SseEvent e = expected.get(i);
            SseEvent a = actual.get(i);
            String where = scenario + " event " + i;
            assertThat(a.event()).as(where + " event name").isEqualTo(e.event());
            if (e.data() == null) {
                assertThat(a.data()).as(where + " is a comment").isNull();
                assertThat(comment(a)).as(where + " comment").isEqualTo(comment(e));
                continue;
            }
            JsonNode ej = Json.tryParse(e.data());
            if (ej == null) {
                assertThat(a.data()).as(where + " non-JSON data").isEqualTo(e.data()); // [DONE]
                continue;
            }
            JsonNode aj = Json.tryParse(a.data());
            if (aj == null || !aj.equals(ej)) {
                fail("%s data differs%n expected: %s%n   actual: %s", where, ej, a.data());
            }
        }
        assertThat(actual).as(scenario + " event count").hasSameSizeAs(expected);
    }

    private static String comment(SseEvent e) {
        return new String(e.raw(), StandardCharsets.UTF_8).strip();
    }

    // --- invariants every output must hold, whatever the golden file says ---

    static void assertInvariants(String scenario, Options o, byte[] output) {
        String text = new String(output, StandardCharsets.UTF_8);
        List<SseEvent> events = Sse.decode(output);
        assertThat(Sse.raw(events)).as(scenario + ": output is whole events only").isEqualTo(output);

        int terminals = 0;
        for (int i = 0; i < events.size(); i++) {
            SseEvent e = events.get(i);
            String where = scenario + " event " + i;
            if (e.data() == null) {
                continue;
            }
            if (e.isDone() || isErrorChunk(e)) {
                terminals++;
                assertThat(i).as(where + ": nothing may follow the terminal").isEqualTo(events.size() - 1);
                if (isErrorChunk(e)) {
                    JsonNode err = Json.tryParse(e.data()).get("error");
                    assertThat(err.isObject()).as(where + ": OpenAI error object").isTrue();
                    assertThat(err.path("message").isTextual()).isTrue();
                    assertThat(err.path("type").isTextual()).isTrue();
                    assertThat(err.has("param") && err.has("code")).as(where + ": param and code present").isTrue();
                }
                continue;
            }
            JsonNode chunk = Json.tryParse(e.data());
            assertThat(chunk).as(where + ": data is a JSON object").isNotNull();
            assertThat(chunk.isObject()).isTrue();
            JsonNode usage = chunk.get("usage");
            if (!o.clientWantsUsage()) {
                assertThat(usage == null || usage.isNull()).as(where + ": no usage the client did not ask for").isTrue();
            }
            if (o.rewriteModelTo() != null && chunk.has("model")) {
                assertThat(chunk.get("model").asText()).as(where + ": model rewritten").isEqualTo(o.rewriteModelTo());
            }
        }
        assertThat(terminals).as(scenario + ": exactly one terminal ([DONE] or an error chunk)").isEqualTo(1);
        if (o.secret() != null) {
            assertThat(text).as(scenario + ": backend secret never reaches the client").doesNotContain(o.secret());
        }
    }

    static boolean isErrorChunk(SseEvent e) {
        if (e.data() == null || e.isDone()) {
            return false;
        }
        JsonNode n = Json.tryParse(e.data());
        return n != null && n.has("error");
    }

    private static Path sourceDir() {
        Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path dir = base.resolve("src/test/resources").resolve(DIR);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("cannot regenerate: " + dir + " does not exist");
        }
        return dir;
    }
}
