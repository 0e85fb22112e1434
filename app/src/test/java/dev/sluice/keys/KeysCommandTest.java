package dev.sluice.keys;

import static dev.sluice.keys.KeyAdminTest.MASTER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.Gateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code sluice keys ...} against a gateway running in process, over HTTP. */
class KeysCommandTest {
    static final Pattern SECRET = Pattern.compile("sk-sluice-[0-9a-f]{64}");
    static Path dir;
    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("sluice-keys-cli");
        Path config = dir.resolve("sluice.yaml");
        Files.writeString(config, """
                model_list:
                  - {model_name: chat, params: {model: sim/chat}}
                  - {model_name: other, params: {model: sim/other}}
                general_settings:
                  master_key: %s
                """.formatted(MASTER));
        gateway = Gateway.builder().env("SIM_TTFT_MS", 0).env("sluice.config.file", config.toString()).start();
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    record Run(int status, String out, String err) {}

    static Run keys(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = KeysCommand.run(List.of(args), env::get, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run keys(String... args) {
        return keys(Map.of("SLUICE_URL", gateway.url(), "SLUICE_MASTER_KEY", MASTER), args);
    }

    static String secretIn(String out) {
        Matcher m = SECRET.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        String s = m.group();
        assertThat(m.find()).as("printed once").isFalse();
        return s;
    }

    @Test
    void createListShowRotateRevokeThroughTheCommand() {
        Run created = keys("create", "cli-team", "--models", "chat", "--rpm", "100", "--ttl", "3600",
                "--metadata", "{\"owner\":\"cli\"}");
        assertThat(created.status()).as(created.err()).isZero();
        String secret = secretIn(created.out());
        assertThat(created.out()).contains("shown once");
        assertThat(KeyAdminTest.chat(gateway, secret, "chat").statusCode()).isEqualTo(200);
        assertThat(KeyAdminTest.chat(gateway, secret, "other").statusCode()).isEqualTo(403);

        Run list = keys("list");
        assertThat(list.status()).isZero();
        assertThat(list.out()).contains("cli-team").contains("100").contains("chat").doesNotContain(secret);
        Run show = keys("show", "cli-team");
        assertThat(show.out()).contains("\"owner\" : \"cli\"").doesNotContain(secret);

        Run rotated = keys("rotate", "cli-team", "--grace", "60");
        assertThat(rotated.status()).as(rotated.err()).isZero();
        String next = secretIn(rotated.out());
        assertThat(rotated.out()).contains("the old secret works until");
        assertThat(KeyAdminTest.chat(gateway, next, "chat").statusCode()).isEqualTo(200);
        assertThat(KeyAdminTest.chat(gateway, secret, "chat").statusCode()).isEqualTo(200);

        Run revoked = keys("--url", gateway.url(), "revoke", "cli-team");
        assertThat(revoked.out()).contains("revoked cli-team");
        assertThat(KeyAdminTest.chat(gateway, next, "chat").statusCode()).isEqualTo(401);
        Run gone = keys("show", "cli-team");
        assertThat(gone.status()).isEqualTo(1);
        assertThat(gone.err()).contains("404").contains("no admin key named 'cli-team'");
    }

    @Test
    void aBudgetIsGivenInDollarsPerDayAndMonthAndShown() {
        Run created = keys("create", "cli-budget", "--daily-budget", "5", "--monthly-budget", "100.50");
        assertThat(created.status()).as(created.err()).isZero();
        assertThat(created.out()).contains("\"daily\" : 5").contains("\"monthly\" : 100.5");
        assertThat(keys("list").out()).contains("5/100.5");
        assertThat(keys("show", "cli-budget").out()).contains("\"budget\"");
        Run bad = keys("create", "cli-budget-2", "--daily-budget", "five");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).contains("--daily-budget needs an amount of US dollars");
        Run refused = keys("create", "cli-budget-3", "--monthly-budget", "-1");
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.err()).contains("400").contains("budget.monthly must be a number of US dollars above 0");
    }

    @Test
    void wrongArgumentsAndAWrongMasterKeyAreClearAndNeverEchoTheKey() {
        assertThat(keys("create").status()).isEqualTo(2);
        assertThat(keys("create", "x", "--rpm", "lots").err()).contains("--rpm needs a whole number");
        assertThat(keys("frobnicate", "x").status()).isEqualTo(2);
        assertThat(keys(Map.of("SLUICE_URL", gateway.url()), "list").err()).contains("SLUICE_MASTER_KEY");
        Run wrong = keys(Map.of("SLUICE_URL", gateway.url()), "--master-key", "not-the-master", "list");
        assertThat(wrong.status()).isEqualTo(1);
        assertThat(wrong.err()).contains("401").doesNotContain("not-the-master");
        Run down = keys(Map.of("SLUICE_URL", "http://127.0.0.1:1", "SLUICE_MASTER_KEY", MASTER), "list");
        assertThat(down.status()).isEqualTo(1);
        assertThat(down.err()).contains("cannot reach");
    }
}
