package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.Gateway;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Claude Code CLI, non-interactive, through the gateway: the same flow as
 * {@code examples/claude-code/run-against-fake.sh}. Behind the gateway runs
 * {@code examples/claude-code/ScriptedRuntime.java}, which answers the first request with a Bash tool call
 * and the one carrying the tool result with a text that quotes it. The turn passes only if Claude Code ran the
 * command: its output holds a random marker that exists only in a file the command reads.
 *
 * <p>Skipped unless Claude Code is installed: {@code SLUICE_CLAUDE_BIN} (the binary, e.g.
 * {@code node_modules/@anthropic-ai/claude-code-linux-x64/claude}) or {@code claude} on PATH.
 */
class ClaudeCodeAgainstSluiceTest {
    private static final String KEY = "sk-sluice-claude-code";
    private static Path claude;
    private static Path runtimeSource;
    private static String skipReason;

    @BeforeAll
    static void findClaudeCode() throws Exception {
        String configured = System.getenv("SLUICE_CLAUDE_BIN");
        if (configured != null && !configured.isBlank()) {
            claude = Path.of(configured);
            if (!Files.isExecutable(claude)) {
                fail("SLUICE_CLAUDE_BIN=" + configured + " is not an executable file");
            }
        } else {
            claude = onPath("claude");
        }
        if (claude == null) {
            return;
        }
        Process version = new ProcessBuilder(claude.toString(), "--version").redirectErrorStream(true).start();
        boolean done = version.waitFor(60, TimeUnit.SECONDS);
        String out = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!done || version.exitValue() != 0) {
            skipReason = "Claude Code at " + claude + " does not run here: " + out;
            return;
        }
        System.out.println("Claude Code under test: " + out + " (" + claude + ")");
        runtimeSource = findUp(Path.of("").toAbsolutePath(), "examples/claude-code/ScriptedRuntime.java");
    }

    @BeforeEach
    void requireClaudeCode() {
        assumeTrue(claude != null, "Claude Code is not installed: set SLUICE_CLAUDE_BIN to its binary or put"
                + " `claude` on PATH (npm install -g @anthropic-ai/claude-code)");
        assumeTrue(skipReason == null, skipReason);
    }

    private static Path onPath(String name) {
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    private static Path findUp(Path from, String relative) {
        for (Path d = from; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(relative))) {
                return d.resolve(relative);
            }
        }
        throw new IllegalStateException(relative + " not found above " + from);
    }

    /** One Claude Code turn through a fresh runtime and gateway; returns Claude Code's JSON result and the runtime log. */
    private record Turn(JsonNode result, List<JsonNode> runtimeRequests, String marker) {}

    private static Turn runTurn(Path tmp, String... runtimeArgs) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path config = Files.createDirectories(tmp.resolve("claude-config"));
        String marker = "sluice-marker-" + UUID.randomUUID();
        Files.writeString(work.resolve("marker.txt"), marker + "\n");
        Path portFile = tmp.resolve("runtime.port");
        Path log = tmp.resolve("runtime-requests.jsonl");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                runtimeSource.toString(), "--port-file", portFile.toString(), "--log", log.toString(),
                "--command", "echo sluice-ok; cat marker.txt"));
        cmd.addAll(List.of(runtimeArgs));
        Process runtime = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("runtime.log").toFile()).start();
        try {
            for (int i = 0; i < 300 && !(Files.exists(portFile) && Files.size(portFile) > 0); i++) {
                assertThat(runtime.isAlive()).as("the scripted runtime is running").isTrue();
                Thread.sleep(50);
            }
            String port = Files.readString(portFile).strip();
            try (Gateway gateway = Gateway.builder().env("BACKEND_KIND", "vllm")
                    .env("BACKEND_BASE_URL", "http://127.0.0.1:" + port + "/v1").env("API_KEYS", KEY)
                    .env("MODEL_NAME", "scripted").env("MODEL_ALIASES", "claude-*").start()) {
                ProcessBuilder pb = new ProcessBuilder(claude.toString(), "-p",
                        "Run the check command with the Bash tool and tell me exactly what it printed.",
                        "--allowedTools", "Bash", "--output-format", "json")
                        .directory(work.toFile()).redirectOutput(tmp.resolve("claude.json").toFile())
                        .redirectError(tmp.resolve("claude.err").toFile());
                Map<String, String> env = pb.environment();
                env.clear();
                env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
                env.put("HOME", config.toString());
                env.put("CLAUDE_CONFIG_DIR", config.toString());
                env.put("ANTHROPIC_BASE_URL", gateway.url());
                env.put("ANTHROPIC_API_KEY", KEY);
                env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
                env.put("DISABLE_AUTOUPDATER", "1");
                Process p = pb.start();
                if (!p.waitFor(180, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    fail("Claude Code did not finish within 180 s; stderr: " + Files.readString(tmp.resolve("claude.err")));
                }
                String out = Files.readString(tmp.resolve("claude.json"));
                List<JsonNode> requests = Files.exists(log)
                        ? Files.readAllLines(log).stream().map(Gateway::json).toList() : List.of();
                System.out.println("runtime requests:\n  " + String.join("\n  ", requests.stream()
                        .map(JsonNode::toString).toList()));
                assertThat(p.exitValue()).as("claude exit status; stdout %s; stderr %s", out,
                        Files.readString(tmp.resolve("claude.err"))).isZero();
                return new Turn(Gateway.json(out), requests, marker);
            }
        } finally {
            runtime.destroy();
            if (!runtime.waitFor(5, TimeUnit.SECONDS)) {
                runtime.destroyForcibly();
            }
        }
    }

    @Test
    void claudeCodeRunsABashToolThroughSluiceAndAnswersWithItsOutput(@TempDir Path tmp) throws Exception {
        Turn turn = runTurn(tmp);
        assertThat(turn.result().path("is_error").asBoolean(true)).as("%s", turn.result()).isFalse();
        assertThat(turn.result().path("num_turns").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(turn.result().path("result").asText()).contains("sluice-ok").contains(turn.marker());

        List<JsonNode> chats = turn.runtimeRequests().stream()
                .filter(r -> r.path("path").asText().equals("/v1/chat/completions")).toList();
        assertThat(chats).extracting(r -> r.path("answer").asText().split(" ")[0])
                .containsExactly("tool_call", "final");
        assertThat(chats).allSatisfy(r -> {
            assertThat(r.path("model").asText()).as("claude-* is served as MODEL_NAME").isEqualTo("scripted");
            assertThat(r.path("stream").asBoolean()).isTrue();
        });
        assertThat(chats.get(1).path("last_role").asText()).isEqualTo("tool");
    }

    @Test
    void claudeCodeLowersMaxTokensWhenTheRuntimeSaysTheyDoNotFitTheContext(@TempDir Path tmp) throws Exception {
        Turn turn = runTurn(tmp, "--context-limit", "32768");
        assertThat(turn.result().path("is_error").asBoolean(true)).as("%s", turn.result()).isFalse();
        assertThat(turn.result().path("result").asText()).contains(turn.marker());
        List<JsonNode> chats = turn.runtimeRequests();
        assertThat(chats.get(0).path("answer").asText()).startsWith("400 max_tokens");
        JsonNode retried = chats.get(1);
        assertThat(retried.path("answer").asText()).startsWith("tool_call");
        assertThat(retried.path("max_tokens").asLong()).as("Claude Code retried with a max_tokens that fits")
                .isLessThan(chats.get(0).path("max_tokens").asLong()).isLessThan(32768);
    }

}
