package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.sse.SseDecoder;
import dev.sluice.protocol.sse.SseEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The golden transcripts under {@code transcripts/openai-to-responses} (see the README there): a chat stream in
 * ({@code .in.sse}), the optional Responses request that asked for it ({@code .request.json}), the Responses stream
 * out ({@code .out.sse}).
 */
final class ResponsesTranscripts {
    static final String DIR = "transcripts/openai-to-responses";
    static final Path SOURCE_DIR = Path.of("src/test/resources").resolve(DIR);
    /** Ids are random in production; the transcripts are recorded with this sequence and this time. */
    static final String ID_SEED = "tr";
    static final long CREATED_AT = 1_796_649_145L;
    private static final String DEFAULT_REQUEST = """
            {"model":"qwen","stream":true,"input":"What is the weather in Paris?",
             "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{}}}]}""";

    private ResponsesTranscripts() {}

    static Stream<String> scenarios() throws IOException, URISyntaxException {
        Path dir = Path.of(ResponsesTranscripts.class.getClassLoader().getResource(DIR).toURI());
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".in.sse"))
                    .map(n -> n.substring(0, n.length() - ".in.sse".length())).sorted().toList();
            assertThat(names).as("transcripts under %s", dir).hasSizeGreaterThan(35);
            return names.stream();
        }
    }

    static ResponsesRequest request(String scenario) {
        String name = scenario + ".request.json";
        String json = exists(name) ? new String(resource(name), StandardCharsets.UTF_8) : DEFAULT_REQUEST;
        return ResponsesToOpenAiRequest.translate((ObjectNode) Json.tryParse(json), null, ResponsesOptions.local(),
                "upstream-model");
    }

    static OpenAiToResponsesStream translator(String scenario) {
        return new OpenAiToResponsesStream(request(scenario), ResponsesIds.sequential(ID_SEED), CREATED_AT);
    }

    /** Feeds the pieces through {@link SseDecoder} into a fresh translator, then ends the stream. */
    static List<byte[]> translate(String scenario, List<byte[]> pieces) {
        OpenAiToResponsesStream translator = translator(scenario);
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

    static boolean exists(String name) {
        return ResponsesTranscripts.class.getClassLoader().getResource(DIR + "/" + name) != null;
    }

    static byte[] resource(String name) {
        try (var in = ResponsesTranscripts.class.getClassLoader().getResourceAsStream(DIR + "/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no transcript file " + DIR + "/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
