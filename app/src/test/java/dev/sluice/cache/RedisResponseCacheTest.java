package dev.sluice.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.Reply;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.embedded.RedisServer;

/** Two gateway instances sharing one real Redis (embedded-redis): what one stores, the other serves. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisResponseCacheTest {
    private RedisServer redis;
    private FakeRuntime fake;
    private Gateway first;
    private Gateway second;

    @BeforeAll
    void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        redis = new RedisServer(port);
        redis.start();
        fake = FakeRuntime.vllm();
        Path file = Files.createTempFile("sluice-redis-cache", ".yaml");
        Files.writeString(file, """
                model_list:
                  - model_name: cached
                    params: {model: vllm/served, api_base: %s}
                    cache: {ttl: 60, backend: redis}
                """.formatted(fake.baseUrl()));
        first = Gateway.builder().env("sluice.config.file", file.toString())
                .env("REDIS_URL", "redis://127.0.0.1:" + port).start();
        second = Gateway.builder().env("sluice.config.file", file.toString())
                .env("REDIS_URL", "redis://127.0.0.1:" + port).start();
    }

    @AfterAll
    void stop() throws Exception {
        first.close();
        second.close();
        fake.close();
        redis.stop();
    }

    private static String completion(String text) {
        return "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"served\",\"choices\":"
                + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
                + "\"total_tokens\":4}}";
    }

    @Test
    void the_second_instance_serves_what_the_first_stored() throws Exception {
        fake.reset();
        fake.enqueue(Reply.json(completion("from redis")));
        fake.enqueue(Reply.json(completion("not shared")));
        String body = "{\"model\":\"cached\",\"messages\":[{\"role\":\"user\",\"content\":\"share\"}]}";

        HttpResponse<String> stored = first.post("/v1/chat/completions", body);
        HttpResponse<String> served = awaitHit(second, body);

        assertThat(stored.headers().firstValue("x-sluice-cache")).contains("miss");
        assertThat(served.headers().firstValue("x-sluice-cache")).contains("hit");
        assertThat(served.body()).isEqualTo(stored.body()).contains("from redis");
        assertThat(fake.apiRequests()).hasSize(1);
    }

    @Test
    void a_stream_stored_by_one_instance_is_replayed_by_the_other() throws Exception {
        fake.reset();
        String chunk = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"served\","
                + "\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}";
        fake.enqueue(Reply.sse().data(chunk.formatted("{\"role\":\"assistant\",\"content\":\"\"}", "null"))
                .data(chunk.formatted("{\"content\":\"streamed via redis\"}", "null"))
                .data(chunk.formatted("{}", "\"stop\"")));
        String body = "{\"model\":\"cached\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"s\"}]}";

        HttpResponse<String> stored = first.post("/v1/chat/completions", body);
        HttpResponse<String> served = awaitHit(second, body);

        assertThat(served.body()).isEqualTo(stored.body()).contains("streamed via redis");
        assertThat(served.body().strip()).endsWith("data: [DONE]");
        assertThat(fake.apiRequests()).hasSize(1);
    }

    /** The SET is sent before the first client has its answer; a moment's grace all the same. */
    private static HttpResponse<String> awaitHit(Gateway g, String body) throws InterruptedException {
        Thread.sleep(50);
        return g.post("/v1/chat/completions", body);
    }
}
