package dev.sluice.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.BackendKind;
import dev.sluice.backend.BackendProfile;
import dev.sluice.endpoint.Capabilities;
import dev.sluice.protocol.Json;
import dev.sluice.protocol.StreamTranslator;
import dev.sluice.protocol.sse.SseEvent;
import dev.sluice.translate.AnthropicToOpenAiRequest;
import dev.sluice.translate.OpenAiPassthroughStream;
import dev.sluice.translate.OpenAiToAnthropicStream;
import dev.sluice.translate.OpenAiToResponsesStream;
import dev.sluice.translate.ResponsesIds;
import dev.sluice.translate.ResponsesOptions;
import dev.sluice.translate.ResponsesToOpenAiRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Each stream translator over a recorded OpenAI-compatible runtime stream, events already decoded: the cost the
 * relay pays per event on top of decoding and writing. The score is per stream of {@code events} events.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StreamTranslatorBench {
    /** OpenAI client pass-through, Anthropic Messages client, Responses API client. */
    @Param({"openai", "anthropic", "responses"})
    String client;

    @Param({"vllm/chat-stream-reasoning-usage.sse", "openai/chat-stream-tool-call-usage.sse"})
    String fixture;

    private List<SseEvent> events;
    private ObjectNode anthropicBody;
    private ObjectNode responsesBody;
    private final List<byte[]> out = new ArrayList<>();

    @Setup(Level.Trial)
    public void load() {
        events = Fixtures.events(fixture);
        anthropicBody = (ObjectNode) Json.tryParse(
                "{\"model\":\"m\",\"max_tokens\":256,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        responsesBody = (ObjectNode) Json.tryParse("{\"model\":\"m\",\"stream\":true,\"input\":\"hi\"}");
    }

    private StreamTranslator translator() {
        return switch (client) {
            case "openai" -> new OpenAiPassthroughStream(true, null);
            case "anthropic" -> new OpenAiToAnthropicStream("msg_bench", AnthropicToOpenAiRequest.translate(
                    anthropicBody.deepCopy(), Capabilities.of(BackendProfile.of(BackendKind.VLLM)), "m", "m"));
            case "responses" -> new OpenAiToResponsesStream(ResponsesToOpenAiRequest.translate(
                    responsesBody.deepCopy(), null, ResponsesOptions.local(), "m"), ResponsesIds.sequential("b"), 1L);
            default -> throw new IllegalArgumentException(client);
        };
    }

    @Benchmark
    public void translateStream(Blackhole bh) {
        StreamTranslator t = translator();
        for (SseEvent e : events) {
            t.onEvent(e, out);
        }
        t.onEnd(out);
        bh.consume(out.size());
        out.clear();
    }
}
