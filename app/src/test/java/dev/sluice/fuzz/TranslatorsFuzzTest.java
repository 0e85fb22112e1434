package dev.sluice.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jazzer fuzz targets for the SSE decoder and the stream and request translators (issue 12); the properties are
 * in {@link FuzzTargets}. In the normal build each target runs its seeds (the recorded transcripts and
 * fixtures, and any file under {@code src/test/resources/dev/sluice/fuzz/TranslatorsFuzzTestInputs/<target>/},
 * where findings are kept as regression inputs). To fuzz one target (coverage-guided, up to 5 minutes):
 *
 * <pre>{@code
 * JAZZER_FUZZ=1 ./mvnw -B -ntp -o -pl app test -Dsluice.jazzer.hooks=true \
 *     -Dtest='TranslatorsFuzzTest#streamTranslators' -Dsurefire.failIfNoSpecifiedTests=false
 * }</pre>
 *
 * See docs/FUZZING.md.
 */
class TranslatorsFuzzTest {
    private static final Map<String, AtomicLong> EXECUTIONS = new ConcurrentHashMap<>();

    private static void count(String target) {
        EXECUTIONS.computeIfAbsent(target, t -> new AtomicLong()).incrementAndGet();
    }

    /** Executions per target, to the console and {@code target/fuzz-report.txt}. */
    @AfterAll
    static void report() throws IOException {
        String mode = System.getenv("JAZZER_FUZZ") == null || System.getenv("JAZZER_FUZZ").isEmpty()
                ? "seeds" : "fuzzing";
        StringBuilder sb = new StringBuilder();
        EXECUTIONS.forEach((t, n) -> sb.append("jazzer ").append(mode).append(' ').append(t).append(": ")
                .append(n.get()).append(" executions\n"));
        System.out.print(sb);
        Path file = Path.of("target", "fuzz-report.txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, sb, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    static Stream<Arguments> sseSeeds() {
        return FuzzSeeds.sse().stream().map(b -> Arguments.of((Object) FuzzTargets.input(0, b)));
    }

    static Stream<Arguments> streamSeeds() {
        return FuzzSeeds.streamInputs().stream().map(b -> Arguments.of((Object) b));
    }

    static Stream<Arguments> requestSeeds() {
        return FuzzSeeds.requestInputs().stream().map(b -> Arguments.of((Object) b));
    }

    @MethodSource("sseSeeds")
    @DictionaryFile(resourcePath = "translators.dict")
    @FuzzTest(maxDuration = "5m") // last: Jazzer requires it
    void sseDecoder(byte[] input) {
        count("sseDecoder");
        FuzzTargets.sseDecoder(input);
    }

    @MethodSource("streamSeeds")
    @DictionaryFile(resourcePath = "translators.dict")
    @FuzzTest(maxDuration = "5m") // last: Jazzer requires it
    void streamTranslators(byte[] input) {
        count("streamTranslators");
        FuzzTargets.streamTranslator(input);
    }

    @MethodSource("requestSeeds")
    @DictionaryFile(resourcePath = "translators.dict")
    @FuzzTest(maxDuration = "5m") // last: Jazzer requires it
    void requestTranslators(byte[] input) {
        count("requestTranslators");
        FuzzTargets.requestTranslator(input);
    }
}
