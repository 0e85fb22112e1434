package dev.sluice.bench;

import dev.sluice.protocol.Json;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The per-chunk checks of the pass-through relay on one recorded vLLM content chunk. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ChunkCheckBench {
    String chunk = "{\"id\":\"rec-d1edbcabe604\",\"choices\":[{\"delta\":{\"content\":\" load\",\"function_call\":null,"
            + "\"refusal\":null,\"role\":null,\"tool_calls\":null},\"finish_reason\":null,\"index\":0,\"logprobs\":null,"
            + "\"token_ids\":null}],\"created\":0,\"model\":\"Qwen/Qwen3-0.6B\",\"object\":\"chat.completion.chunk\","
            + "\"service_tier\":null,\"system_fingerprint\":null,\"usage\":null}";

    /** The well-formedness check every forwarded chunk passes (a non-JSON chunk would crash the client's SDK). */
    @Benchmark
    public boolean isJsonObject() {
        return Json.isObject(chunk);
    }

    /** The same check as a tokenising Jackson parse, what {@code Json.isObject} did before {@code JsonCheck}. */
    @Benchmark
    public boolean isJsonObjectByParser() throws java.io.IOException {
        try (com.fasterxml.jackson.core.JsonParser p = Json.MAPPER.createParser(chunk)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        }
    }

    /** The substring tests that decide whether a chunk needs a parse at all. */
    @Benchmark
    public boolean needsParse() {
        return chunk.contains("\"usage\"") || chunk.contains("\"error\"");
    }
}
