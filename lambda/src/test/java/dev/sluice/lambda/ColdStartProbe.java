package dev.sluice.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * Cold start as Lambda sees it, without AWS: in a fresh JVM, create the handler (Lambda init) and handle one
 * chat completion event, then print the time from JVM start. Run by {@code lambda/cold-start.sh}; configured
 * by the environment like the function (BACKEND_KIND=sim there).
 */
public final class ColdStartProbe {
    private ColdStartProbe() {}

    public static void main(String[] args) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long t0 = System.currentTimeMillis();
        ApiGatewayV2Handler handler = new ApiGatewayV2Handler();
        long t1 = System.currentTimeMillis();
        if (System.getenv("COLD_START_THREADS") != null) {
            // SnapStart check: what init leaves running is in the snapshot
            Thread.getAllStackTraces().keySet().stream().map(t -> (t.isDaemon() ? "daemon " : "") + t.getName())
                    .sorted().forEach(n -> System.out.println("after init: thread " + n));
        }
        String key = System.getenv().getOrDefault("API_KEYS", "k").split(",")[0];
        APIGatewayV2HTTPResponse r = handler.handleRequest(Events.v2("POST", "/v1/chat/completions",
                Map.of("authorization", "Bearer " + key, "content-type", "application/json"),
                "{\"model\":\"sim\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                new TestContext());
        long t2 = System.currentTimeMillis();
        if (r.getStatusCode() != 200) {
            System.err.println("cold start probe: HTTP " + r.getStatusCode() + " " + r.getBody());
            System.exit(1);
        }
        System.out.printf("jvm_to_main_ms=%d init_ms=%d first_event_ms=%d jvm_start_to_first_response_ms=%d%n",
                t0 - jvmStart, t1 - t0, t2 - t1, t2 - jvmStart);
        handler.close();
        System.exit(0);
    }
}
