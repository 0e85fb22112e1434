package dev.sluice.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The short fuzz run of every build: each target of {@link FuzzTargets} on thousands of inputs made from the
 * seeds by {@link Mutator}, from a fixed seed (so a run is repeatable; {@code -Dsluice.fuzz.seed=N} picks
 * another, {@code -Dsluice.fuzz.runs=N} runs more). A finding fails the test with the input in base64 and is
 * written to {@code target/fuzz-findings/}; keep it as a regression input under
 * {@code src/test/resources/dev/sluice/fuzz/TranslatorsFuzzTestInputs/<target>/}.
 */
class TranslatorsPropertyTest {
    private static final long SEED = Long.getLong("sluice.fuzz.seed", 20261207L);
    private static final int RUNS = Integer.getInteger("sluice.fuzz.runs", 2000);

    @Test
    void theSseDecoderGivesTheSameEventsForAnySplitOfMutatedStreams() {
        List<byte[]> seeds = FuzzSeeds.sse();
        run("sseDecoder", FuzzTargets::sseDecoder, r -> {
            byte[] body = new Mutator(r).stream(seeds.get(r.nextInt(seeds.size())), seeds);
            return withSplit(r, r.nextInt(256), body);
        });
    }

    @Test
    void everyStreamTranslatorKeepsItsTerminalAndInvariantsOnMutatedStreams() {
        List<byte[]> openAi = FuzzSeeds.openAiStreams();
        List<byte[]> anthropic = FuzzSeeds.anthropicStreams();
        run("streamTranslators", FuzzTargets::streamTranslator, r -> {
            int selector = r.nextInt(256);
            int which = selector % FuzzTargets.STREAM_TRANSLATORS;
            boolean anthropicIn = which == FuzzTargets.ANTHROPIC_TO_OPENAI
                    || which == FuzzTargets.ANTHROPIC_PASSTHROUGH;
            List<byte[]> seeds = anthropicIn ^ r.nextInt(10) == 0 ? anthropic : openAi;
            byte[] body = new Mutator(r).stream(seeds.get(r.nextInt(seeds.size())), seeds);
            return withSplit(r, selector, body);
        });
    }

    @Test
    void everyRequestTranslatorTranslatesOrRefusesWithA4xxOnMutatedAndGeneratedRequests() {
        List<byte[]> seeds = FuzzSeeds.requestInputs();
        run("requestTranslators", FuzzTargets::requestTranslator, r -> {
            Mutator m = new Mutator(r);
            if (r.nextInt(3) == 0) {
                // a request shaped like a real one, for the Anthropic translators under every profile
                int selector = r.nextBoolean() ? r.nextInt(7) * FuzzTargets.REQUEST_TRANSLATORS : 3;
                return FuzzTargets.input(selector, Json.bytes(m.anthropicRequest()));
            }
            byte[] seed = seeds.get(r.nextInt(seeds.size()));
            byte[] body = m.request(java.util.Arrays.copyOfRange(seed, 5, seed.length));
            return FuzzTargets.input(r.nextInt(8) == 0 ? r.nextInt(256) : seed[0] & 0xff, body);
        });
    }

    private static byte[] withSplit(Random r, int selector, byte[] body) {
        byte[] in = FuzzTargets.input(selector, body);
        if (r.nextInt(4) != 0) {
            for (int i = 1; i < 5; i++) {
                in[i] = (byte) r.nextInt(256);
            }
        }
        return in;
    }

    private static void run(String target, Consumer<byte[]> fuzzTarget, Function<Random, byte[]> inputs) {
        Random r = new Random(SEED ^ target.hashCode());
        long start = System.nanoTime();
        for (int i = 0; i < RUNS; i++) {
            byte[] input = inputs.apply(r);
            try {
                fuzzTarget.accept(input);
            } catch (Throwable t) {
                Path saved = save(target, i, input);
                throw new AssertionError(target + " finding on execution " + i + " (seed " + SEED + ", saved to "
                        + saved + "): " + t + "\ninput (base64): " + Base64.getEncoder().encodeToString(input), t);
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        String line = target + ": " + RUNS + " executions in " + ms + " ms, no findings (seed " + SEED + ")";
        System.out.println(line);
        report(line);
        assertThat(RUNS).isPositive();
    }

    private static Path save(String target, int i, byte[] input) {
        try {
            Path dir = Path.of("target", "fuzz-findings", target);
            Files.createDirectories(dir);
            return Files.write(dir.resolve("finding-" + SEED + "-" + i), input);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void report(String line) {
        try {
            Path file = Path.of("target", "fuzz-report.txt");
            Files.createDirectories(file.getParent());
            Files.writeString(file, line + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
