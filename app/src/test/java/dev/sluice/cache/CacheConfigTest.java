package dev.sluice.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.CacheSettings;
import dev.sluice.config.ConfigException;
import dev.sluice.config.file.FileConfigLoader;
import dev.sluice.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code cache:} key of the config file, CACHE_TTL_S, the cache key and the stored form. */
class CacheConfigTest {
    private static FileConfigLoader.Result check(String yaml) {
        return FileConfigLoader.check(yaml, name -> null);
    }

    @Test
    void a_cache_key_is_read_per_alias() {
        var r = check("""
                model_list:
                  - model_name: a
                    params: {model: vllm/m, api_base: http://127.0.0.1:8000/v1}
                    cache: {ttl: 5m, backend: redis, max_entries: 50}
                  - model_name: a
                    params: {model: vllm/m, api_base: http://127.0.0.1:8001/v1}
                  - model_name: b
                    params: {model: vllm/m, api_base: http://127.0.0.1:8000/v1}
                """);
        assertThat(r.errors()).isEmpty();
        assertThat(r.config().caches()).isEqualTo(Map.of("a",
                new CacheSettings(Duration.ofMinutes(5), CacheSettings.Backend.REDIS, 50)));
    }

    @Test
    void deployments_of_one_alias_must_agree() {
        var r = check("""
                model_list:
                  - model_name: a
                    params: {model: vllm/m, api_base: http://127.0.0.1:8000/v1}
                    cache: {ttl: 300}
                  - model_name: a
                    params: {model: vllm/m, api_base: http://127.0.0.1:8001/v1}
                    cache: {ttl: 60}
                """);
        assertThat(r.ok()).isFalse();
        assertThat(r.errors()).singleElement().asString().contains("model_list[1].cache")
                .contains("model_list[0].cache");
    }

    @Test
    void bad_values_name_their_key() {
        var r = check("""
                model_list:
                  - model_name: a
                    params: {model: vllm/m, api_base: http://127.0.0.1:8000/v1}
                    cache: {backend: disk, max_entries: 0}
                """);
        assertThat(String.join("\n", r.errors())).contains("model_list[0].cache.ttl").contains("missing")
                .contains("model_list[0].cache.backend").contains("model_list[0].cache.max_entries");
    }

    @Test
    void shared_is_an_explicit_boolean_and_off_by_default() {
        var r = check("""
                model_list:
                  - model_name: a
                    params: {model: vllm/m, api_base: http://127.0.0.1:8000/v1}
                    cache: {ttl: 60, shared: true}
                  - model_name: b
                    params: {model: vllm/m, api_base: http://127.0.0.1:8000/v1}
                    cache: {ttl: 60}
                  - model_name: c
                    params: {model: vllm/m, api_base: http://127.0.0.1:8000/v1}
                    cache: {ttl: 60, shared: "everyone"}
                """);
        assertThat(r.errors()).singleElement().asString().contains("model_list[2].cache.shared")
                .contains("not a boolean");
        assertThat(check("""
                model_list:
                  - model_name: a
                    params: {model: vllm/m, api_base: http://127.0.0.1:8000/v1}
                    cache: {ttl: 60, shared: true}
                  - model_name: b
                    params: {model: vllm/m, api_base: http://127.0.0.1:8000/v1}
                    cache: {ttl: 60}
                """).config().caches()).isEqualTo(Map.of(
                "a", new CacheSettings(Duration.ofSeconds(60), null, CacheSettings.DEFAULT_MAX_ENTRIES, true),
                "b", new CacheSettings(Duration.ofSeconds(60), null, CacheSettings.DEFAULT_MAX_ENTRIES, false)));
    }

    @Test
    void the_scope_separates_callers_and_an_empty_scope_is_the_key_before_scopes() throws Exception {
        JsonNode a = Json.parse("{\"model\":\"m\",\"messages\":[]}".getBytes(StandardCharsets.UTF_8));
        String plain = CacheKey.of("openai", "/chat/completions", "m", false, null, a);
        assertThat(CacheKey.of("openai", "/chat/completions", "m", false, null, a, "")).isEqualTo(plain);
        assertThat(CacheKey.of("openai", "/chat/completions", "m", false, null, a, "name:tenant-a"))
                .isNotEqualTo(plain)
                .isNotEqualTo(CacheKey.of("openai", "/chat/completions", "m", false, null, a, "name:tenant-b"));
    }

    @Test
    void cache_ttl_s_is_whole_seconds_and_zero_is_off() {
        assertThat(CacheBeans.envTtl(null)).isNull();
        assertThat(CacheBeans.envTtl("0")).isNull();
        assertThat(CacheBeans.envTtl("300")).isEqualTo(Duration.ofSeconds(300));
        assertThatThrownBy(() -> CacheBeans.envTtl("-1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("CACHE_TTL_S");
        assertThatThrownBy(() -> CacheBeans.envTtl("5m")).isInstanceOf(ConfigException.class);
    }

    @Test
    void the_key_ignores_key_order_and_stream_but_not_values() throws Exception {
        JsonNode a = Json.parse("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
                .getBytes(StandardCharsets.UTF_8));
        JsonNode b = Json.parse("{\"messages\":[{\"content\":\"x\",\"role\":\"user\"}],\"model\":\"m\"}"
                .getBytes(StandardCharsets.UTF_8));
        JsonNode c = Json.parse("{\"messages\":[{\"content\":\"y\",\"role\":\"user\"}],\"model\":\"m\"}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(CacheKey.of("openai", "/chat/completions", "m", true, null, a))
                .isEqualTo(CacheKey.of("openai", "/chat/completions", "m", true, null, b))
                .isNotEqualTo(CacheKey.of("openai", "/chat/completions", "m", false, null, b))
                .isNotEqualTo(CacheKey.of("anthropic", "/chat/completions", "m", true, null, b))
                .isNotEqualTo(CacheKey.of("openai", "/chat/completions", "m", true, null, c))
                .hasSize(64);
    }

    @Test
    void the_key_is_digested_without_copying_the_request_and_matches_the_copying_digest() throws Exception {
        String text = "{\"stream\":true,\"z\":[1,2.5,-0.0,1e300,123456789012345678901234567890,\"\\u00e9\\n\"],"
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}],\"b\":null,"
                + "\"a\":{\"stream\":false,\"y\":true}}],\"model\":\"m\"}";
        JsonNode body = Json.parse(text.getBytes(StandardCharsets.UTF_8));
        String before = body.toString();
        // the digest of the sorted copy the key was computed from before (keys stored in Redis stay valid)
        JsonNode sorted = sortedCopy(body);
        ((com.fasterxml.jackson.databind.node.ObjectNode) sorted).remove("stream");
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update("sluice-cache-v1\nopenai\n/chat/completions\nm\ntrue\nbeta\n".getBytes(StandardCharsets.UTF_8));
        sha.update(Json.bytes(sorted));
        assertThat(CacheKey.of("openai", "/chat/completions", "m", true, "beta", body))
                .isEqualTo(java.util.HexFormat.of().formatHex(sha.digest()));
        assertThat(body.toString()).isEqualTo(before);
    }

    private static JsonNode sortedCopy(JsonNode n) {
        if (n.isObject()) {
            var o = Json.object();
            List<String> names = new java.util.ArrayList<>();
            n.fieldNames().forEachRemaining(names::add);
            java.util.Collections.sort(names);
            names.forEach(k -> o.set(k, sortedCopy(n.get(k))));
            return o;
        }
        if (n.isArray()) {
            var a = Json.NODES.arrayNode();
            n.forEach(e -> a.add(sortedCopy(e)));
            return a;
        }
        return n;
    }

    @Test
    void an_answer_survives_its_stored_form() {
        CachedAnswer a = new CachedAnswer(true, null, List.of("data: 1\n\n".getBytes(StandardCharsets.UTF_8),
                "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8)), 1234);
        CachedAnswer back = CachedAnswer.decode(a.encode());
        assertThat(back.stream()).isTrue();
        assertThat(back.storedAtMillis()).isEqualTo(1234);
        assertThat(back.events()).hasSize(2);
        assertThat(new String(back.events().get(1), StandardCharsets.UTF_8)).isEqualTo("data: [DONE]\n\n");
        assertThat(CachedAnswer.decode("junk".getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void redis_down_is_a_miss_and_a_dropped_store_not_a_failure() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (RedisStore.Connection c = new RedisStore.Connection("redis://127.0.0.1:" + port,
                Duration.ofMillis(500))) {
            RedisStore store = new RedisStore(c, Duration.ofSeconds(10));
            long start = System.nanoTime();
            store.put("k", new CachedAnswer(false, "{}".getBytes(StandardCharsets.UTF_8), List.of(), 1));
            assertThat(store.get("k").get(5, java.util.concurrent.TimeUnit.SECONDS)).isNull();
            // a hang guard, not a speed test: the connect timeout is 500 ms, a hang would be the 10 s TTL or more;
            // a loaded 2-core CI box has taken 2.3 s for the put and the get together
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        }
    }
}
