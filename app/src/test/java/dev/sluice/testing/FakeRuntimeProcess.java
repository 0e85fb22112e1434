package dev.sluice.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FakeRuntime} in its own JVM, so a test can {@code kill -9} the runtime process mid-stream (reliability.md
 * G3). Run as {@code FakeRuntimeProcess <streams> <events> <eventDelayMs>}: queues that many slow streams, prints
 * {@code PORT <n>} and serves until killed.
 */
public final class FakeRuntimeProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private FakeRuntimeProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static void main(String[] args) throws Exception {
        int streams = Integer.parseInt(args[0]);
        int events = Integer.parseInt(args[1]);
        long delay = Long.parseLong(args[2]);
        FakeRuntime vllm = FakeRuntime.vllm();
        for (int i = 0; i < streams; i++) {
            Reply.Sse sse = Reply.sse().eventDelay(Duration.ofMillis(delay));
            for (int e = 0; e < events; e++) {
                sse.data(Chunks.delta("k" + i, "t" + e + " "));
            }
            vllm.enqueue(sse.data(Chunks.stop("k" + i)));
        }
        System.out.println("PORT " + vllm.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Starts the process and returns once it listens. */
    public static FakeRuntimeProcess start(int streams, int events, long eventDelayMs) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), FakeRuntimeProcess.class.getName(), Integer.toString(streams),
                Integer.toString(events), Long.toString(eventDelayMs)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("PORT ")) {
                return new FakeRuntimeProcess(p, Integer.parseInt(line.substring(5).strip()));
            }
        }
        throw new IllegalStateException("the fake runtime process exited before listening");
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port + "/v1";
    }

    /** {@code kill -9}: the kernel closes its sockets, nothing in the process runs. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill9();
    }
}
