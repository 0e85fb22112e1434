package dev.sluice.protocol.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.protocol.Json;
import dev.sluice.testing.ByteSplits;
import dev.sluice.testing.Sse;
import dev.sluice.testing.TestResources;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SseDecoderTest {

    /** Recorded streams (see fixtures/PROVENANCE in /work/shared/fixtures): OpenAI-style and Anthropic-style. */
    static Stream<String> fixtureStreams() {
        return Stream.of(
                "fixtures/openai/chat-stream.sse",
                "fixtures/openai/chat-stream-tool-call-usage.sse",
                "fixtures/openai/chat-stream-parallel-tool-calls-usage.sse",
                "fixtures/vllm/chat-stream-reasoning-usage.sse",
                "fixtures/tgi/chat-stream-tool-call.sse",
                "fixtures/ollama/chat-stream-tool-call-usage.sse",
                "fixtures/anthropic/messages-stream-text.sse");
    }

    /** Small enough to decode once per byte boundary. */
    static Stream<String> smallFixtureStreams() {
        return Stream.of(
                "fixtures/openai/chat-stream.sse",
                "fixtures/openai/chat-stream-tool-call-usage.sse",
                "fixtures/anthropic/messages-stream-text.sse");
    }

    /** An event as comparable values: exact raw bytes, name and data. */
    record View(String raw, String event, String data) {
        static View of(SseEvent e) {
            return new View(new String(e.raw(), StandardCharsets.ISO_8859_1), e.event(), e.data());
        }
    }

    static List<View> views(List<SseEvent> events) {
        return events.stream().map(View::of).toList();
    }

    static List<View> decode(List<byte[]> chunks) {
        return views(Sse.decode(chunks));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] withLineEnds(byte[] lf, String lineEnd) {
        return utf8(new String(lf, StandardCharsets.UTF_8).replace("\n", lineEnd));
    }

    // --- framing ---

    @ParameterizedTest(name = "line end {0}")
    @ValueSource(strings = {"LF", "CRLF", "CR"})
    void acceptsEachLineEndTheSpecAllows(String name) {
        String le = switch (name) {
            case "LF" -> "\n";
            case "CRLF" -> "\r\n";
            default -> "\r";
        };
        String stream = String.join(le, "event: greet", "data: hello", "data: world", "", ": just a comment", "",
                "data:tight", "", "data: next");

        List<View> events = decode(List.of(utf8(stream)));

        assertThat(events).extracting(View::event, View::data).containsExactly(
                org.assertj.core.groups.Tuple.tuple("greet", "hello\nworld"),
                org.assertj.core.groups.Tuple.tuple(null, null),
                org.assertj.core.groups.Tuple.tuple(null, "tight"));
        assertThat(events.get(0).raw()).isEqualTo("event: greet" + le + "data: hello" + le + "data: world" + le + le);
        assertThat(events.get(1).raw()).isEqualTo(": just a comment" + le + le);
    }

    @Test
    void joinsMultiLineDataWithNewlines() {
        List<View> events = decode(List.of(utf8("data: first\ndata: second\ndata:\ndata: fourth\n\n")));

        assertThat(events).singleElement().extracting(View::data).isEqualTo("first\nsecond\n\nfourth");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "'data:x'        | x",
            "'data: x'       | x",
            "'data:  x'      | ' x'",
            "'data: x '      | 'x '",
            "'data'          | ''",
            "'data:'         | ''",
            "'data: a:b: c'  | 'a:b: c'",
    })
    void stripsExactlyOneSpaceAfterTheColon(String line, String expected) {
        List<View> events = decode(List.of(utf8(line + "\n\n")));

        assertThat(events).singleElement().extracting(View::data).isEqualTo(expected);
    }

    @Test
    void readsTheEventNameWithOrWithoutASpace() {
        List<View> events = decode(List.of(utf8("event: message_start\ndata: {}\n\nevent:ping\ndata: {}\n\n")));

        assertThat(events).extracting(View::event).containsExactly("message_start", "ping");
    }

    @Test
    void aCommentOnlyEventIsAPassThroughCommentAndACommentInsideAnEventIsIgnored() {
        List<SseEvent> events = Sse.decode(utf8(": keep-alive\n\ndata: a\n: note\ndata: b\n\n"));

        assertThat(events).hasSize(2);
        assertThat(events.get(0).isComment()).isTrue();
        assertThat(new String(events.get(0).raw(), StandardCharsets.UTF_8)).isEqualTo(": keep-alive\n\n");
        assertThat(events.get(1).isComment()).isFalse();
        assertThat(events.get(1).data()).isEqualTo("a\nb");
    }

    @Test
    void ignoresUnknownFieldsAndMisspelledCase() {
        List<View> events = decode(List.of(utf8("id: 7\nretry: 100\ndata: x\n\nData: shouted\nEvent: nope\n\n")));

        assertThat(events).extracting(View::event, View::data).containsExactly(
                org.assertj.core.groups.Tuple.tuple(null, "x"),
                org.assertj.core.groups.Tuple.tuple(null, null));
    }

    @Test
    void extraBlankLinesProduceNoEvents() {
        List<View> events = decode(List.of(utf8("\n\n\r\n\rdata: a\n\n\n\n\ndata: b\n\n\n")));

        assertThat(events).extracting(View::data).containsExactly("a", "b");
        assertThat(events).extracting(View::raw).containsExactly("data: a\n\n", "data: b\n\n");
    }

    @Test
    void recognisesTheDoneSentinel() {
        List<SseEvent> events = Sse.decode(utf8("data: [DONE]\n\n"));

        assertThat(events).singleElement().satisfies(e -> assertThat(e.isDone()).isTrue());
    }

    @Test
    void decodesUtf8SplitInsideAMultiByteCharacter() {
        byte[] in = utf8("data: you’re 🙂\n\n");
        int apostrophe = "data: you".length(); // first byte of the 3-byte ’
        int emoji = utf8("data: you’re ").length; // first byte of the 4-byte 🙂

        List<View> events = decode(ByteSplits.at(in, apostrophe + 1, apostrophe + 2, emoji + 1, emoji + 3));

        assertThat(events).singleElement().extracting(View::data).isEqualTo("you’re 🙂");
    }

    @Test
    void honoursOffsetAndLengthOfTheFedSlice() {
        byte[] buf = utf8("JUNKdata: inside\n\nJUNK");
        SseDecoder decoder = new SseDecoder();
        List<SseEvent> out = new ArrayList<>();

        decoder.feed(buf, 4, buf.length - 8, out);

        assertThat(views(out)).singleElement().isEqualTo(new View("data: inside\n\n", null, "inside"));
        assertThat(decoder.hasPartialEvent()).isFalse();
    }

    // --- CR at a chunk boundary ---

    @Test
    void aCrAtTheEndOfAChunkFollowedByLfIsOneLineEnd() {
        List<View> events = decode(ByteSplits.at(utf8("data: a\r\ndata: b\r\n\r\n"), "data: a\r".length()));

        assertThat(events).singleElement().isEqualTo(new View("data: a\r\ndata: b\r\n\r\n", null, "a\nb"));
    }

    @Test
    void aBlankLineCrAtTheEndOfAChunkWaitsForTheNextByteAndKeepsItsLf() {
        SseDecoder decoder = new SseDecoder();
        List<SseEvent> out = new ArrayList<>();

        decoder.feed(utf8("data: a\r\n\r"), out);
        assertThat(out).as("the CR may be the first half of CRLF").isEmpty();

        decoder.feed(utf8("\n"), out);
        assertThat(views(out)).singleElement().isEqualTo(new View("data: a\r\n\r\n", null, "a"));
        assertThat(decoder.hasPartialEvent()).isFalse();
    }

    @Test
    void aBlankLineCrFollowedByAnotherFieldIsALoneCr() {
        List<View> events = decode(ByteSplits.at(utf8("data: a\r\n\rdata: b\r\n\r\n"), "data: a\r\n\r".length()));

        assertThat(events).containsExactly(new View("data: a\r\n\r", null, "a"), new View("data: b\r\n\r\n", null, "b"));
    }

    // --- splits: the decoder must not care where the network cut the stream ---

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtureStreams")
    void aRecordedStreamDecodesToOneEventPerDataLineAndItsRawBytesCoverTheStream(String fixture) {
        byte[] in = TestResources.bytes(fixture);
        String text = new String(in, StandardCharsets.UTF_8);

        List<SseEvent> events = Sse.decode(in);

        long dataLines = text.lines().filter(l -> l.startsWith("data:")).count();
        assertThat(events).hasSize((int) dataLines);
        for (SseEvent e : events) {
            assertThat(e.isDone() || isJsonObject(e.data())).as("data of %s", e).isTrue();
        }
        assertThat(new String(Sse.raw(events), StandardCharsets.UTF_8)).isEqualTo(text.stripTrailing() + "\n\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallFixtureStreams")
    void aRecordedStreamCutAtEveryByteBoundaryDecodesIdentically(String fixture) {
        byte[] in = TestResources.bytes(fixture);
        List<View> expected = decode(ByteSplits.whole(in));

        for (int cut = 0; cut <= in.length; cut++) {
            assertThat(decode(ByteSplits.at(in, cut))).as("cut at %d", cut).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallFixtureStreams")
    void aCrlfStreamCutAtEveryByteBoundaryDecodesIdentically(String fixture) {
        byte[] in = withLineEnds(TestResources.bytes(fixture), "\r\n");
        List<View> expected = decode(ByteSplits.whole(in));
        assertThat(expected).isNotEmpty();
        assertThat(expected).extracting(View::data)
                .isEqualTo(decode(ByteSplits.whole(TestResources.bytes(fixture))).stream().map(View::data).toList());

        for (int cut = 0; cut <= in.length; cut++) {
            assertThat(decode(ByteSplits.at(in, cut))).as("cut at %d", cut).isEqualTo(expected);
        }
    }

    static Stream<Arguments> fixturesTimesSeeds() {
        return fixtureStreams().flatMap(f -> IntStream.rangeClosed(1, 8).mapToObj(seed -> Arguments.of(f, seed)));
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("fixturesTimesSeeds")
    void aRecordedStreamCutAtSeededRandomBoundariesDecodesIdentically(String fixture, int seed) {
        byte[] lf = TestResources.bytes(fixture);
        for (String le : List.of("\n", "\r\n", "\r")) {
            byte[] in = withLineEnds(lf, le);
            // a CR-only stream's last CR is held back (it could start a CRLF): end with a byte that settles it
            byte[] settled = Arrays.copyOf(in, in.length + 1);
            settled[in.length] = '\n';
            List<View> expected = decode(ByteSplits.whole(settled));
            assertThat(expected).hasSize(decode(ByteSplits.whole(lf)).size());

            assertThat(decode(ByteSplits.random(settled, seed, 7))).isEqualTo(expected);
            assertThat(decode(ByteSplits.random(settled, seed * 31L, 300))).isEqualTo(expected);
            assertThat(decode(ByteSplits.random(settled, seed * 97L, 5000))).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtureStreams")
    void aRecordedStreamFedOneByteAtATimeDecodesIdentically(String fixture) {
        byte[] in = TestResources.bytes(fixture);

        assertThat(decode(ByteSplits.everyByte(in))).isEqualTo(decode(ByteSplits.whole(in)));
    }

    // --- size cap ---

    @Test
    void anEventThatNeverEndsIsRefusedOnceItPassesTheCap() {
        SseDecoder decoder = new SseDecoder(64);
        List<SseEvent> out = new ArrayList<>();
        decoder.feed(utf8("data: " + "x".repeat(50)), out);

        assertThatThrownBy(() -> decoder.feed(utf8("x".repeat(20)), out))
                .isInstanceOf(SseDecoder.EventTooLargeException.class)
                .hasMessageContaining("64 bytes");
    }

    @ParameterizedTest(name = "split {0}")
    @ValueSource(strings = {"whole", "every byte", "random"})
    void anEventOneByteOverTheCapIsRefusedHoweverItArrives(String split) {
        byte[] event = utf8("data: " + "y".repeat(57) + "\n\n"); // 65 bytes
        assertThat(event).hasSize(65);
        SseDecoder decoder = new SseDecoder(64);
        List<SseEvent> out = new ArrayList<>();

        assertThatThrownBy(() -> {
            for (byte[] c : split(split, event)) {
                decoder.feed(c, out);
            }
        }).isInstanceOf(SseDecoder.EventTooLargeException.class);
    }

    @ParameterizedTest(name = "split {0}")
    @ValueSource(strings = {"whole", "every byte", "random"})
    void anEventExactlyAtTheCapAndManyEventsBeyondItInTotalAreAccepted(String split) {
        byte[] event = utf8("data: " + "y".repeat(56) + "\n\n"); // 64 bytes
        byte[] stream = Sse.concat(List.of(event, event, event, event));
        SseDecoder decoder = new SseDecoder(64);
        List<SseEvent> out = new ArrayList<>();

        for (byte[] c : split(split, stream)) {
            decoder.feed(c, out);
        }

        assertThat(out).hasSize(4);
    }

    private static List<byte[]> split(String how, byte[] in) {
        return switch (how) {
            case "whole" -> ByteSplits.whole(in);
            case "every byte" -> ByteSplits.everyByte(in);
            default -> ByteSplits.random(in, 42, 9);
        };
    }

    // --- end of stream ---

    @Test
    void hasPartialEventIsFalseAfterACompleteStreamAndTrailingBlankLines() {
        SseDecoder decoder = new SseDecoder();
        List<SseEvent> out = new ArrayList<>();

        decoder.feed(TestResources.bytes("fixtures/openai/chat-stream.sse"), out);
        decoder.feed(utf8("\n\r\n"), out);

        assertThat(out).last().satisfies(e -> assertThat(e.isDone()).isTrue());
        assertThat(decoder.hasPartialEvent()).isFalse();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"data: {\"id\":\"x\"", "data: {\"id\":\"x\"}\n", "data: [DONE]\n", ": comment\n", "event: ping"})
    void hasPartialEventIsTrueWhenTheStreamWasCutInsideAnEvent(String tail) {
        SseDecoder decoder = new SseDecoder();
        List<SseEvent> out = new ArrayList<>();

        decoder.feed(utf8("data: {\"a\":1}\n\n" + tail), out);

        assertThat(out).hasSize(1);
        assertThat(decoder.hasPartialEvent()).isTrue();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void aRecordedStreamCutAtARandomPointReportsAPartialEventExactlyWhenItCutAnEvent(int seed) {
        byte[] in = TestResources.bytes("fixtures/openai/chat-stream-tool-call-usage.sse");
        int cut = new java.util.Random(seed).nextInt(in.length);
        SseDecoder decoder = new SseDecoder();
        List<SseEvent> out = new ArrayList<>();

        decoder.feed(Arrays.copyOf(in, cut), out);

        int consumed = Sse.raw(out).length;
        boolean cutInsideEvent = new String(in, consumed, cut - consumed, StandardCharsets.UTF_8).strip().length() > 0;
        assertThat(decoder.hasPartialEvent()).isEqualTo(cutInsideEvent);
        assertThat(out.size()).isLessThan(Sse.decode(in).size());
    }

    private static boolean isJsonObject(String s) {
        JsonNode n = Json.tryParse(s);
        return n != null && n.isObject();
    }
}
