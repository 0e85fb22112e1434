package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.Gateway;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
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
 * The real Codex CLI, non-interactive, through the gateway's Responses API: the same flow as
 * {@code examples/codex/run-against-fake.sh}, with {@code examples/codex/config.toml} as Codex's config. Behind
 * the gateway runs {@code examples/codex/ScriptedRuntime.java}. It answers the first chat request with a call of
 * Codex's shell tool {@code exec_command}, and the request that carries the tool output with a text that quotes
 * it. The turn passes only if Codex ran the command: the output holds a random marker that exists only in a file
 * the command reads.
 *
 * <p>Skipped unless Codex CLI is installed. It is looked for in {@code SLUICE_CODEX_BIN} (the native binary),
 * then under {@value #DEFAULT_PREFIX} where
 * {@code npm install --prefix /tmp/codex @openai/codex@0.169.0-linux-x64} puts it
 * ({@code node_modules/@openai/codex/vendor/<target>/bin/codex}), then as {@code codex} on PATH.
 */
class CodexAgainstSluiceTest {
    static final String DEFAULT_PREFIX = "/tmp/codex";
    private static final String KEY = "sk-sluice-codex";
    private static final String PROMPT = "Run the check command with your shell tool and tell me exactly what it"
            + " printed.";
    private static Path codex;
    private static Path runtimeSource;
    private static Path config;
    private static String skipReason;

    @BeforeAll
    static void findCodex() throws Exception {
        String configured = System.getenv("SLUICE_CODEX_BIN");
        if (configured != null && !configured.isBlank()) {
            codex = Path.of(configured);
            if (!Files.isExecutable(codex)) {
                fail("SLUICE_CODEX_BIN=" + configured + " is not an executable file");
            }
        } else {
            codex = npmInstalled(Path.of(DEFAULT_PREFIX));
            if (codex == null) {
                codex = onPath("codex");
            }
        }
        if (codex == null) {
            return;
        }
        Process version = new ProcessBuilder(codex.toString(), "--version").redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        boolean done = version.waitFor(60, TimeUnit.SECONDS);
        String out = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!done || version.exitValue() != 0) {
            version.destroyForcibly();
            skipReason = "Codex CLI at " + codex + " does not run here: " + out;
            return;
        }
        System.out.println("Codex CLI under test: " + out + " (" + codex + ")");
        runtimeSource = findUp(Path.of("").toAbsolutePath(), "examples/codex/ScriptedRuntime.java");
        config = runtimeSource.resolveSibling("config.toml");
    }

    @BeforeEach
    void requireCodex() {
        assumeTrue(codex != null, "Codex CLI is not installed: set SLUICE_CODEX_BIN to its binary, or run `npm"
                + " install --prefix " + DEFAULT_PREFIX + " @openai/codex@0.169.0-linux-x64`, or put `codex` on PATH");
        assumeTrue(skipReason == null, skipReason);
    }

    /** The native binary of an npm install under {@code prefix}, whatever the platform's target triple. */
    private static Path npmInstalled(Path prefix) throws IOException {
        Path vendor = prefix.resolve("node_modules/@openai/codex/vendor");
        if (!Files.isDirectory(vendor)) {
            return null;
        }
        try (DirectoryStream<Path> targets = Files.newDirectoryStream(vendor)) {
            for (Path target : targets) {
                Path bin = target.resolve("bin/codex");
                if (Files.isExecutable(bin)) {
                    return bin;
                }
            }
        }
        return null;
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

    /** What one Codex turn left behind: its JSONL events, its last message, and the runtime's request log. */
    private record Turn(List<JsonNode> events, String lastMessage, List<JsonNode> runtimeRequests, String marker) {}

    private static Turn runTurn(Path tmp, String... codexConfig) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path codexHome = Files.createDirectories(tmp.resolve("home/.codex"));
        Files.copy(config, codexHome.resolve("config.toml"));
        String marker = "sluice-marker-" + UUID.randomUUID();
        Files.writeString(work.resolve("marker.txt"), marker + "\n");
        Path portFile = tmp.resolve("runtime.port");
        Path log = tmp.resolve("runtime-requests.jsonl");
        Process runtime = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                runtimeSource.toString(), "--port-file", portFile.toString(), "--log", log.toString(),
                "--command", "echo hello-codex-43 && cat marker.txt").redirectErrorStream(true)
                .redirectOutput(tmp.resolve("runtime.log").toFile()).start();
        try {
            for (int i = 0; i < 600 && !(Files.exists(portFile) && Files.size(portFile) > 0); i++) {
                assertThat(runtime.isAlive()).as("the scripted runtime is running; %s",
                        Files.exists(tmp.resolve("runtime.log")) ? Files.readString(tmp.resolve("runtime.log")) : "")
                        .isTrue();
                Thread.sleep(50);
            }
            String port = Files.readString(portFile).strip();
            try (Gateway gateway = Gateway.builder().env("BACKEND_KIND", "vllm")
                    .env("BACKEND_BASE_URL", "http://127.0.0.1:" + port + "/v1").env("API_KEYS", KEY)
                    .env("MODEL_NAME", "scripted").start()) {
                Path lastMessage = tmp.resolve("last-message.txt");
                // the config file as shipped; the overrides only point Codex at this gateway and keep it quiet. No
                // sandbox: the one command is the scripted runtime's, and the test is about the gateway, not about
                // whether this host can run Codex's sandbox
                List<String> cmd = new ArrayList<>(List.of(codex.toString(), "exec", "--json", "--ephemeral",
                        "--skip-git-repo-check", "--sandbox", "danger-full-access",
                        "-c", "model=\"scripted\"",
                        "-c", "model_providers.sluice.base_url=\"" + gateway.url() + "/v1\"",
                        "-c", "approval_policy=\"never\"", "-c", "check_for_update_on_startup=false",
                        "-c", "analytics.enabled=false", "--output-last-message", lastMessage.toString()));
                for (String setting : codexConfig) {
                    cmd.addAll(List.of("-c", setting));
                }
                cmd.add(PROMPT);
                ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(tmp.resolve("codex.jsonl").toFile())
                        .redirectError(tmp.resolve("codex.err").toFile());
                Map<String, String> env = pb.environment();
                env.clear();
                env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
                env.put("HOME", tmp.resolve("home").toString());
                env.put("CODEX_HOME", codexHome.toString());
                env.put("SLUICE_API_KEY", KEY);
                Process p = pb.start();
                if (!p.waitFor(90, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    fail("Codex did not finish within 90 s; stdout: " + Files.readString(tmp.resolve("codex.jsonl"))
                            + "\nstderr: " + Files.readString(tmp.resolve("codex.err")));
                }
                String out = Files.readString(tmp.resolve("codex.jsonl"));
                List<JsonNode> requests = Files.exists(log)
                        ? Files.readAllLines(log).stream().map(Gateway::json).toList() : List.of();
                System.out.println("runtime requests:\n  " + String.join("\n  ", requests.stream()
                        .map(JsonNode::toString).toList()));
                assertThat(p.exitValue()).as("codex exit status; stdout %s; stderr %s", out,
                        Files.readString(tmp.resolve("codex.err"))).isZero();
                List<JsonNode> events = out.lines().filter(l -> l.startsWith("{")).map(Gateway::json).toList();
                return new Turn(events, Files.exists(lastMessage) ? Files.readString(lastMessage) : "", requests,
                        marker);
            }
        } finally {
            runtime.destroy();
            if (!runtime.waitFor(5, TimeUnit.SECONDS)) {
                runtime.destroyForcibly();
            }
        }
    }

    private static List<JsonNode> completed(Turn turn, String itemType) {
        return turn.events().stream().filter(e -> e.path("type").asText().equals("item.completed"))
                .map(e -> e.path("item")).filter(i -> i.path("type").asText().equals(itemType)).toList();
    }

    @Test
    void codexRunsItsShellToolThroughSluiceAndAnswersWithTheOutput(@TempDir Path tmp) throws Exception {
        Turn turn = runTurn(tmp);

        List<JsonNode> commands = completed(turn, "command_execution");
        assertThat(commands).as("Codex ran exactly the command the model asked for; %s", turn.events()).hasSize(1);
        assertThat(commands.get(0).path("command").asText()).contains("echo hello-codex-43 && cat marker.txt");
        assertThat(commands.get(0).path("exit_code").asInt(-1)).isZero();
        assertThat(commands.get(0).path("aggregated_output").asText()).contains("hello-codex-43")
                .contains(turn.marker());

        assertThat(turn.lastMessage()).contains("hello-codex-43").contains(turn.marker());
        assertThat(completed(turn, "agent_message")).extracting(m -> m.path("text").asText())
                .containsExactly(turn.lastMessage().strip());
        assertThat(turn.events()).extracting(e -> e.path("type").asText()).contains("turn.completed")
                .doesNotContain("turn.failed", "error");

        // both requests of the turn reached the runtime through the gateway: the call, then the tool output
        assertThat(turn.runtimeRequests()).extracting(r -> r.path("answer").asText())
                .containsExactly("tool_call", "final");
        assertThat(turn.runtimeRequests()).allSatisfy(r -> {
            assertThat(r.path("path").asText()).isEqualTo("/v1/chat/completions");
            assertThat(r.path("model").asText()).isEqualTo("scripted");
            assertThat(r.path("stream").asBoolean()).as("Codex streams, and so does the bridge").isTrue();
            assertThat(r.path("tools")).extracting(JsonNode::asText).contains("exec_command",
                    "multi_agent_v1__spawn_agent");
        });
        assertThat(turn.runtimeRequests().get(1).path("last_role").asText()).isEqualTo("tool");
    }

    /**
     * A session that outgrows its window: with a compaction limit below the prompt's size, Codex compacts after the
     * tool call, in the middle of the turn. A provider that is not OpenAI compacts locally: it sends the history and
     * its summary prompt as a plain Responses request through the gateway, and goes on with the model's summary
     * in place of the history. The runtime writes the command's output into that summary, so the final answer
     * holds the marker only if the summary came back through the gateway.
     */
    @Test
    void codexCompactsALongSessionThroughTheModelBehindSluice(@TempDir Path tmp) throws Exception {
        Turn turn = runTurn(tmp, "model_auto_compact_token_limit=2000");

        List<String> answers = turn.runtimeRequests().stream().map(r -> r.path("answer").asText()).toList();
        assertThat(answers).as("the runtime saw the call, the compaction request, then the compacted history")
                .containsSubsequence("tool_call", "summary", "final_from_summary");
        JsonNode compaction = turn.runtimeRequests().get(answers.indexOf("summary"));
        assertThat(compaction.path("last_role").asText()).as("Codex's summary prompt comes last").isEqualTo("user");
        JsonNode after = turn.runtimeRequests().get(answers.indexOf("final_from_summary"));
        assertThat(after.path("messages").asInt()).as("the history was replaced by the summary")
                .isLessThan(compaction.path("messages").asInt());

        assertThat(completed(turn, "command_execution")).hasSize(1);
        assertThat(turn.lastMessage()).contains("hello-codex-43").contains(turn.marker());
        assertThat(turn.events()).extracting(e -> e.path("type").asText()).contains("turn.completed")
                .doesNotContain("turn.failed");
    }

    /**
     * Codex's remote compaction (v2), which it uses for a provider named "OpenAI": it appends a
     * {@code compaction_trigger} item to an ordinary {@code /v1/responses} request and expects exactly one
     * {@code compaction} output item, failing the turn otherwise. Sluice has the model write the summary and
     * returns it as that item; Codex then sends the item back, and the runtime sees its summary again.
     */
    @Test
    void codexRemoteCompactionThroughSluiceKeepsTheTurnGoing(@TempDir Path tmp) throws Exception {
        Turn turn = runTurn(tmp, "model_auto_compact_token_limit=2000", "model_providers.sluice.name=\"OpenAI\"");

        List<String> answers = turn.runtimeRequests().stream().map(r -> r.path("answer").asText()).toList();
        assertThat(answers).as("the call, the summary pass for the compaction item, then the compacted history")
                .containsSubsequence("tool_call", "summary", "final_from_summary");
        assertThat(turn.events()).extracting(e -> e.path("type").asText()).contains("turn.completed")
                .doesNotContain("turn.failed");
        assertThat(turn.lastMessage()).contains("hello-codex-43").contains(turn.marker());
    }
}
