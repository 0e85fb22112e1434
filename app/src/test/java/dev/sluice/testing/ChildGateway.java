package dev.sluice.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway in its own JVM, started the way the Dockerfile starts it (its JVM flags, e.g. {@code -Xmx256m}), from
 * this test run's classpath, so it runs the code under test even before {@code package} has built the jar. For what an
 * in-process gateway cannot show: heap exhaustion, a forced GC's result, a process that must survive an attack.
 */
public final class ChildGateway implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final int port;

    private ChildGateway(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts the gateway with {@code jvmFlags} and {@code env} on a free loopback port; returns once /livez is 200. */
    public static ChildGateway start(List<String> jvmFlags, Map<String, String> env) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.sluice.Application"));
        Path log = Files.createTempFile("sluice-child", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("API_") || k.startsWith("BACKEND_")
                || k.startsWith("REDIS_") || k.startsWith("MAX_") || k.equals("SLUICE_CONFIG"));
        pb.environment().put("API_HOST", "127.0.0.1");
        pb.environment().put("API_PORT", Integer.toString(port));
        pb.environment().putAll(env);
        ChildGateway g = new ChildGateway(pb.start(), log, port);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < deadline) {
            if (!g.process.isAlive()) {
                throw new IllegalStateException("the gateway exited at startup:\n" + g.log());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(g.url() + "/livez")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return g;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        g.close();
        throw new IllegalStateException("the gateway did not answer /livez within 40 s:\n" + g.log());
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Everything the process has printed so far. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Runs a full GC in the gateway ({@code jcmd GC.run}) and returns the heap in use after it, in bytes. */
    public long heapUsedAfterGc() throws Exception {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        // Serial: "DefNew total 78656K, used 1234K [...]" and "Tenured total ..., used ...K"; G1: "garbage-first heap"
        Matcher m = Pattern.compile("(?m)^\\s*(?:DefNew|Tenured|garbage-first heap|def new generation|tenured generation)"
                + "\\s+total\\s+\\d+K,\\s+used\\s+(\\d+)K").matcher(info);
        long used = 0;
        boolean found = false;
        while (m.find()) {
            used += Long.parseLong(m.group(1)) * 1024;
            found = true;
        }
        if (!found) {
            throw new IllegalStateException("unexpected GC.heap_info output:\n" + info);
        }
        return used;
    }

    private String jcmd(String command) throws Exception {
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), command).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed:\n" + out);
        }
        return out;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
