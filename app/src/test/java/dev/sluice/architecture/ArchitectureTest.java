package dev.sluice.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layering rule of docs/ARCHITECTURE.md as code: each package of the gateway may use only the packages
 * named here (each package's {@code package-info.java} says the same in words). Dependencies point one way:
 * {@code http → endpoint → routing / translate / limits / cache}, {@code http → budget}, {@code routing → backend → protocol},
 * {@code translate → protocol}; nothing uses {@code http}. Test classes are not checked.
 */
class ArchitectureTest {
    private static final String ROOT = "dev.sluice";

    /** Package (below dev.sluice) → the packages it may use besides itself and its own subpackages. */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("error", Set.of()),
            Map.entry("observability", Set.of()),
            Map.entry("protocol", Set.of("error")),
            Map.entry("translate", Set.of("protocol", "error")),
            Map.entry("backend", Set.of("protocol", "error")),
            Map.entry("config", Set.of("backend")),
            Map.entry("auth", Set.of("config")),
            Map.entry("keys", Set.of("config", "auth", "error")),
            Map.entry("ratelimit", Set.of("config", "protocol", "error", "auth", "observability")),
            Map.entry("budget", Set.of("config", "protocol", "error", "auth", "observability")),
            Map.entry("routing", Set.of("backend", "protocol", "error", "observability")),
            Map.entry("cache", Set.of("config", "protocol", "routing")),
            Map.entry("endpoint", Set.of("routing", "translate", "backend", "protocol", "error", "observability",
                    "cache", "ratelimit", "config")),
            Map.entry("http", Set.of("endpoint", "routing", "cache", "ratelimit", "auth", "config", "observability",
                    "protocol", "error", "keys", "budget", "")));

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    static Stream<Arguments> packages() {
        return ALLOWED.keySet().stream().sorted().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0} uses only what it may")
    @MethodSource("packages")
    void each_package_uses_only_the_packages_it_may(String pkg) {
        Set<String> forbidden = new TreeSet<>(ALLOWED.keySet());
        forbidden.remove(pkg);
        forbidden.removeAll(ALLOWED.get(pkg));
        String[] patterns = forbidden.stream().map(p -> ROOT + "." + p + "..").toArray(String[]::new);
        var rule = noClasses().that().resideInAPackage(ROOT + "." + pkg + "..")
                .should().dependOnClassesThat().resideInAnyPackage(patterns)
                .because(pkg + " may use only " + (ALLOWED.get(pkg).isEmpty() ? "itself" : ALLOWED.get(pkg)));
        rule.check(classes);
        if (!ALLOWED.get(pkg).contains("")) {
            noClasses().that().resideInAPackage(ROOT + "." + pkg + "..")
                    .should().dependOnClassesThat().resideInAPackage(ROOT)
                    .because("the root package is wiring (beans, main), which only it and http's version page use")
                    .check(classes);
        }
    }

    @Test
    void every_package_of_the_gateway_is_in_the_table() {
        Set<String> found = new TreeSet<>();
        classes.forEach(c -> {
            String p = c.getPackageName();
            if (p.startsWith(ROOT + ".")) {
                found.add(p.substring(ROOT.length() + 1).split("\\.")[0]);
            }
        });
        org.assertj.core.api.Assertions.assertThat(ALLOWED.keySet())
                .as("a new package needs its line in ALLOWED and a package-info.java").containsAll(found);
    }

    @Test
    void every_package_says_in_package_info_what_it_may_use() {
        List<String> missing = ALLOWED.keySet().stream()
                .filter(p -> !java.nio.file.Files.isRegularFile(
                        java.nio.file.Path.of("src/main/java/dev/sluice", p, "package-info.java")))
                .sorted().toList();
        org.assertj.core.api.Assertions.assertThat(missing).as("packages without package-info.java").isEmpty();
    }
}
