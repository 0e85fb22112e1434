package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sluice.testing.ResponsesStreamInvariants;
import dev.sluice.testing.ResponsesStreamInvariants.Event;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden transcripts for the chat → Responses state machine (responses-api.md §4, §5.1; style.md §5): each
 * recorded or hand-made chat stream is decoded with the gateway's SseDecoder, fed to {@link OpenAiToResponsesStream}
 * and compared with its {@code .out.sse} event by event (name exactly, data as JSON trees); then again with the input
 * cut at seeded random byte boundaries. Every output is checked against {@link ResponsesStreamInvariants}.
 *
 * <p>Run with {@code -Dsluice.regenerate=true} to rewrite the {@code .out.sse} files in {@code src/test/resources}
 * from the current translator; review the diff before committing it.
 */
class OpenAiToResponsesStreamTranscriptTest {
    private static final boolean REGENERATE = Boolean.getBoolean("sluice.regenerate");
    private static final long[] SEEDS = {1, 2, 3, 42, 1234, 9001, 31337, 271828};

    static java.util.stream.Stream<String> scenarios() throws Exception {
        return ResponsesTranscripts.scenarios();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void translatesTheChatStreamIntoTheGoldenResponsesEvents(String scenario) throws IOException {
        List<byte[]> frames = ResponsesTranscripts.translate(scenario,
                List.of(ResponsesTranscripts.resource(scenario + ".in.sse")));
        List<Event> actual = ResponsesStreamInvariants.parseFrames(frames);
        ResponsesStreamInvariants.check(actual);
        if (REGENERATE) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            frames.forEach(all::writeBytes);
            Files.write(ResponsesTranscripts.SOURCE_DIR.resolve(scenario + ".out.sse"), all.toByteArray());
            return;
        }
        assertSameEvents(scenario, expected(scenario), actual);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void givesTheSameEventsWhenTheInputArrivesInRandomByteSplits(String scenario) {
        byte[] input = ResponsesTranscripts.resource(scenario + ".in.sse");
        List<Event> expected = REGENERATE
                ? ResponsesStreamInvariants.parseFrames(ResponsesTranscripts.translate(scenario, List.of(input)))
                : expected(scenario);
        for (long seed : SEEDS) {
            List<byte[]> pieces = OpenAiToAnthropicStreamTranscriptTest.split(input, new Random(seed ^ scenario.hashCode()));
            List<Event> actual = ResponsesStreamInvariants.parseFrames(ResponsesTranscripts.translate(scenario, pieces));
            ResponsesStreamInvariants.check(actual);
            assertSameEvents(scenario + " split with seed " + seed + " into " + pieces.size() + " pieces", expected,
                    actual);
        }
    }

    private static List<Event> expected(String scenario) {
        String name = scenario + ".out.sse";
        if (!ResponsesTranscripts.exists(name)) {
            fail("no golden output " + ResponsesTranscripts.DIR + "/" + name + ": run once with"
                    + " -Dsluice.regenerate=true, review it, and commit it");
        }
        List<Event> events = ResponsesStreamInvariants.parse(ResponsesTranscripts.resource(name));
        ResponsesStreamInvariants.check(events);
        return events;
    }

    private static void assertSameEvents(String what, List<Event> expected, List<Event> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertThat(actual.get(i).name()).as("%s: name of event #%d (%s)", what, i, actual.get(i))
                    .isEqualTo(expected.get(i).name());
            assertThat(actual.get(i).data()).as("%s: data of event #%d", what, i).isEqualTo(expected.get(i).data());
        }
        assertThat(actual).as("%s: number of events", what).hasSameSizeAs(expected);
    }
}
