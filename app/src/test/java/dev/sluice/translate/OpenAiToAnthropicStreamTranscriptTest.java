package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.BackendProfile;
import dev.sluice.endpoint.Capabilities;
import dev.sluice.backend.BackendKind;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.sse.SseDecoder;
import dev.sluice.protocol.sse.SseEvent;
import dev.sluice.testing.AnthropicStreamInvariants;
import dev.sluice.testing.AnthropicStreamInvariants.Event;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden transcripts for the §3.8 state machine (style.md §5): each
 * {@code transcripts/openai-to-anthropic/<scenario>.in.sse} (an OpenAI-compatible runtime's stream, recorded
 * or hand-made, see the README there) is decoded with {@link SseDecoder}, fed to
 * {@link OpenAiToAnthropicStream}, and compared with {@code <scenario>.out.sse} event by event: the event
 * name exactly, the data as JSON trees. The same run is repeated with the input cut at seeded random byte
 * boundaries. Every output is also checked against the stream invariants.
 *
 * <p>Run with {@code -Dsluice.regenerate=true} to rewrite the {@code .out.sse} files in
 * {@code src/test/resources} from the current translator; review the diff before committing it.
 */
class OpenAiToAnthropicStreamTranscriptTest {
    /** Message ids are random in production; the transcripts are recorded with this one. */
    static final String MESSAGE_ID = "msg_01TranscriptFixedId00000";
    private static final String DIR = "transcripts/openai-to-anthropic";
    private static final Path SOURCE_DIR = Path.of("src/test/resources").resolve(DIR);
    private static final boolean REGENERATE = Boolean.getBoolean("sluice.regenerate");
    private static final String DEFAULT_REQUEST = """
            {"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,
             "messages":[{"role":"user","content":"What is the weather in Paris?"}]}""";
    private static final long[] SEEDS = {1, 2, 3, 42, 1234, 9001, 31337, 271828};

    static Stream<String> scenarios() throws IOException, URISyntaxException {
        Path dir = Path.of(OpenAiToAnthropicStreamTranscriptTest.class.getClassLoader().getResource(DIR).toURI());
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".in.sse"))
                    .map(n -> n.substring(0, n.length() - ".in.sse".length())).sorted().toList();
            assertThat(names).as("transcripts under %s", dir).hasSizeGreaterThan(30);
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void translatesTheRecordedStreamIntoTheGoldenAnthropicEvents(String scenario) throws IOException {
        byte[] input = resource(scenario + ".in.sse");
        List<byte[]> frames = translate(scenario, List.of(input));
        List<Event> actual = AnthropicStreamInvariants.parseFrames(frames);
        AnthropicStreamInvariants.check(actual);
        if (REGENERATE) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (byte[] f : frames) {
                all.write(f);
            }
            Files.write(SOURCE_DIR.resolve(scenario + ".out.sse"), all.toByteArray());
            return;
        }
        assertSameEvents(scenario, expected(scenario), actual);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void givesTheSameEventsWhenTheInputArrivesInRandomByteSplits(String scenario) {
        byte[] input = resource(scenario + ".in.sse");
        List<Event> expected = REGENERATE ? AnthropicStreamInvariants.parseFrames(translate(scenario, List.of(input)))
                : expected(scenario);
        for (long seed : SEEDS) {
            List<byte[]> pieces = split(input, new Random(seed ^ scenario.hashCode()));
            List<Event> actual = AnthropicStreamInvariants.parseFrames(translate(scenario, pieces));
            AnthropicStreamInvariants.check(actual);
            assertSameEvents(scenario + " split with seed " + seed + " into " + pieces.size() + " pieces", expected,
                    actual);
        }
    }

    /** Cuts at random places: mostly small pieces (mid-line, mid-UTF-8 character, inside "\n\n"), some large. */
    static List<byte[]> split(byte[] input, Random random) {
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        while (i < input.length) {
            int n = random.nextInt(4) == 0 ? 1 + random.nextInt(400) : 1 + random.nextInt(7);
            n = Math.min(n, input.length - i);
            byte[] piece = new byte[n];
            System.arraycopy(input, i, piece, 0, n);
            out.add(piece);
            i += n;
        }
        return out;
    }

    private static List<byte[]> translate(String scenario, List<byte[]> pieces) {
        OpenAiToAnthropicStream translator = new OpenAiToAnthropicStream(MESSAGE_ID, request(scenario));
        SseDecoder decoder = new SseDecoder();
        List<SseEvent> events = new ArrayList<>();
        List<byte[]> out = new ArrayList<>();
        for (byte[] piece : pieces) {
            decoder.feed(piece, events);
            for (SseEvent e : events) {
                translator.onEvent(e, out);
            }
            events.clear();
        }
        translator.onEnd(out);
        assertThat(translator.terminated()).as("%s: the translator reached a terminal event", scenario).isTrue();
        return out;
    }

    /** {@code <scenario>.request.json} when present (tools, stop sequences, a longer prompt), else a plain question. */
    static AnthropicRequest request(String scenario) {
        String name = scenario + ".request.json";
        String json = OpenAiToAnthropicStreamTranscriptTest.class.getClassLoader().getResource(DIR + "/" + name) == null
                ? DEFAULT_REQUEST : new String(resource(name), StandardCharsets.UTF_8);
        ObjectNode body = (ObjectNode) Json.tryParse(json);
        return AnthropicToOpenAiRequest.translate(body, Capabilities.of(BackendProfile.of(BackendKind.VLLM)), "upstream-model",
                body.path("model").asText());
    }

    private static List<Event> expected(String scenario) {
        String name = scenario + ".out.sse";
        if (OpenAiToAnthropicStreamTranscriptTest.class.getClassLoader().getResource(DIR + "/" + name) == null) {
            fail("no golden output " + DIR + "/" + name + ": run once with -Dsluice.regenerate=true, review it,"
                    + " and commit it");
        }
        List<Event> events = AnthropicStreamInvariants.parse(resource(name));
        AnthropicStreamInvariants.check(events);
        return events;
    }

    private static void assertSameEvents(String what, List<Event> expected, List<Event> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            Event e = expected.get(i);
            Event a = actual.get(i);
            assertThat(a.name()).as("%s: name of event #%d (%s)", what, i, a).isEqualTo(e.name());
            assertThat(a.data()).as("%s: data of event #%d", what, i).isEqualTo(e.data());
        }
        assertThat(actual).as("%s: number of events", what).hasSameSizeAs(expected);
    }

    private static byte[] resource(String name) {
        try (var in = OpenAiToAnthropicStreamTranscriptTest.class.getClassLoader()
                .getResourceAsStream(DIR + "/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no transcript file " + DIR + "/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
