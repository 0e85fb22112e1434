package dev.sluice.bench;

import dev.sluice.protocol.sse.SseDecoder;
import dev.sluice.protocol.sse.SseEvent;
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

/**
 * Decoding a recorded vLLM stream (271 events) as the relay sees it: in pieces of a network read's size.
 * The score is per stream; divide by the event count printed at setup for the cost per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SseDecoderBench {
    @Param({"64", "1024", "16384"})
    int pieceBytes;

    private byte[] stream;
    private final List<SseEvent> events = new ArrayList<>();

    @Setup(Level.Trial)
    public void load() {
        stream = Fixtures.bytes("vllm/chat-stream-reasoning-usage.sse");
    }

    @Benchmark
    public int decodeStream() {
        SseDecoder decoder = new SseDecoder();
        int n = 0;
        for (int off = 0; off < stream.length; off += pieceBytes) {
            decoder.feed(stream, off, Math.min(pieceBytes, stream.length - off), events);
            n += events.size();
            events.clear();
        }
        decoder.finish(events);
        n += events.size();
        events.clear();
        return n;
    }
}
