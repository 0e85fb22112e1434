package dev.sluice.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.Reply;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Environment-only configuration: CACHE_TTL_S turns on the in-memory cache of the implicit deployment. */
class EnvCacheTest {
    @Test
    void cache_ttl_s_caches_the_implicit_deployment() {
        try (FakeRuntime fake = FakeRuntime.vllm();
                Gateway gateway = Gateway.in(fake, "MODEL_NAME", "served", "CACHE_TTL_S", "60")) {
            String answer = "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"served\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"env\"},"
                    + "\"finish_reason\":\"stop\"}]}";
            fake.enqueue(Reply.json(answer));
            fake.enqueue(Reply.json(answer));
            String body = "{\"model\":\"served\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

            gateway.post("/v1/chat/completions", body);
            HttpResponse<String> second = gateway.post("/v1/chat/completions", body);

            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(second.headers().firstValue("x-sluice-cache")).contains("hit");
            assertThat(fake.apiRequests()).hasSize(1);
        }
    }
}
