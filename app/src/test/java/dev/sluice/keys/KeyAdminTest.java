package dev.sluice.keys;

import static dev.sluice.testing.OpenAiErrorAssert.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.ratelimit.RequestLimits;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.TestClock;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The key admin API over real HTTP on one gateway without Redis (keys in a JSON file next to the config): the life
 * of a key, who may call it, its errors, expiry, limits, the audit lines, and the file across a restart.
 */
class KeyAdminTest {
    static final String MASTER = "master-key-for-the-admin-api-tests-0123456789";
    static Path dir;
    static Path config;
    static TestClock clock;
    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("sluice-admin-keys");
        config = dir.resolve("sluice.yaml");
        Files.writeString(config, """
                model_list:
                  - {model_name: chat, params: {model: sim/chat}}
                  - {model_name: other, params: {model: sim/other}}
                keys:
                  - {name: file-key, key: file-secret-0123456789abcdef0123456789}
                general_settings:
                  master_key: %s
                """.formatted(MASTER));
        clock = TestClock.at(Instant.now());
        clock.startOfNextWindow(RequestLimits.WINDOW_MILLIS);
        gateway = start(clock);
    }

    static Gateway start(TestClock clock) {
        return Gateway.builder().env("SIM_TTFT_MS", 0).env("SIM_TOKENS_PER_S", 0)
                .env("sluice.config.file", config.toString()).singleton(clock).start();
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

    static HttpResponse<String> admin(Gateway g, String method, String path, String body) {
        String[] auth = {"Authorization", "Bearer " + MASTER};
        return switch (method) {
            case "GET" -> g.get(path, auth);
            case "DELETE" -> g.delete(path, auth);
            default -> g.post(path, body, auth);
        };
    }

    static HttpResponse<String> chat(Gateway g, String key, String model) {
        return g.post("/v1/chat/completions", "{\"model\":\"" + model + "\",\"max_tokens\":5,\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}", "Authorization", "Bearer " + key);
    }

    static String create(Gateway g, String body) {
        HttpResponse<String> r = admin(g, "POST", "/admin/keys", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String secret = Gateway.json(r).path("secret").asText();
        assertThat(secret).startsWith("sk-sluice-").hasSize("sk-sluice-".length() + 64);
        return secret;
    }

    @Test
    void aKeyIsCreatedUsedListedWithoutSecretRotatedAndRevoked() throws Exception {
        String secret = create(gateway, "{\"name\":\"team-a\",\"models\":[\"chat\"],\"rpm\":1000,"
                + "\"priority\":2,\"metadata\":{\"owner\":\"ops\"}}");
        assertThat(chat(gateway, secret, "chat").statusCode()).isEqualTo(200);
        // the model list is enforced as for the config file's keys
        JsonNode denied = assertOpenAiError(chat(gateway, secret, "other"), 403);
        assertThat(denied.path("message").asText()).contains("'team-a'").contains("'other'");

        HttpResponse<String> list = admin(gateway, "GET", "/admin/keys", null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("\"team-a\"").contains("\"owner\":\"ops\"").doesNotContain(secret)
                .doesNotContain("sha256").doesNotContain("\"secret\"");
        HttpResponse<String> shown = admin(gateway, "GET", "/admin/keys/team-a", null);
        assertThat(Gateway.json(shown).path("priority").asInt()).isEqualTo(2);
        assertThat(Gateway.json(shown).path("hint").asText()).endsWith(secret.substring(secret.length() - 4));
        assertThat(shown.body()).doesNotContain(secret);

        HttpResponse<String> rotated = admin(gateway, "POST", "/admin/keys/team-a/rotate", "{\"grace_seconds\":1}");
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        String next = Gateway.json(rotated).path("secret").asText();
        assertThat(next).startsWith("sk-sluice-").isNotEqualTo(secret);
        assertThat(chat(gateway, next, "chat").statusCode()).isEqualTo(200);
        assertThat(chat(gateway, secret, "chat").statusCode()).as("the old secret during its grace").isEqualTo(200);
        Thread.sleep(1_200);
        assertOpenAiError(chat(gateway, secret, "chat"), 401);
        assertThat(chat(gateway, next, "chat").statusCode()).isEqualTo(200);

        assertThat(admin(gateway, "DELETE", "/admin/keys/team-a", null).statusCode()).isEqualTo(200);
        assertOpenAiError(chat(gateway, next, "chat"), 401);
        assertOpenAiError(admin(gateway, "GET", "/admin/keys/team-a", null), 404);
        assertOpenAiError(admin(gateway, "DELETE", "/admin/keys/team-a", null), 404);
    }

    @Test
    void onlyTheMasterKeyMayCallTheAdminApi() {
        String fileKey = "file-secret-0123456789abcdef0123456789";
        JsonNode e = assertOpenAiError(gateway.get("/admin/keys", "Authorization", "Bearer " + fileKey), 403);
        assertThat(e.path("message").asText()).contains("master key");
        assertOpenAiError(gateway.post("/admin/keys", "{\"name\":\"sneaky\"}", "Authorization", "Bearer " + fileKey),
                403);
        assertOpenAiError(gateway.get("/admin/keys"), 401);
        assertOpenAiError(gateway.get("/admin/keys", "Authorization", "Bearer not-a-key"), 401);
        assertOpenAiError(admin(gateway, "GET", "/admin/keys/sneaky", null), 404);
    }

    @Test
    void badRequestsAreExplainedAndNamesAreUnique() {
        create(gateway, "{\"name\":\"unique-one\"}");
        JsonNode dup = assertOpenAiError(admin(gateway, "POST", "/admin/keys", "{\"name\":\"unique-one\"}"), 409);
        assertThat(dup.path("message").asText()).contains("already exists");
        JsonNode clash = assertOpenAiError(admin(gateway, "POST", "/admin/keys", "{\"name\":\"file-key\"}"), 409);
        assertThat(clash.path("message").asText()).contains("config file");
        assertThat(assertOpenAiError(admin(gateway, "POST", "/admin/keys", "{\"name\":\"x\",\"rpm\":0}"), 400)
                .path("param").asText()).isEqualTo("rpm");
        assertThat(assertOpenAiError(admin(gateway, "POST", "/admin/keys", "{\"name\":\"x\",\"rmp\":5}"), 400)
                .path("message").asText()).contains("unknown field 'rmp'");
        assertOpenAiError(admin(gateway, "POST", "/admin/keys", "{\"name\":\"bad name\"}"), 400);
        assertOpenAiError(admin(gateway, "POST", "/admin/keys", "{\"name\":\"key2\"}"), 400);
        assertOpenAiError(admin(gateway, "POST", "/admin/keys", "not json"), 400);
        assertOpenAiError(admin(gateway, "POST", "/admin/keys", "{\"name\":\"x\",\"expires_at\":\"2020-01-01\"}"),
                400);
        assertOpenAiError(admin(gateway, "POST", "/admin/keys/nobody/rotate", "{}"), 404);
        assertOpenAiError(admin(gateway, "POST", "/admin/keys/unique-one/rotate", "{\"grace_seconds\":-1}"), 400);
    }

    @Test
    void anExpiredKeyIsRefusedWithAMessageThatSaysSo() throws Exception {
        String secret = create(gateway, "{\"name\":\"short-lived\",\"ttl_seconds\":1}");
        assertThat(chat(gateway, secret, "chat").statusCode()).isEqualTo(200);
        Thread.sleep(1_100);
        JsonNode e = assertOpenAiError(chat(gateway, secret, "chat"), 401);
        assertThat(e.path("message").asText()).contains("'short-lived'").contains("expired");
        assertThat(Gateway.json(admin(gateway, "GET", "/admin/keys/short-lived", null)).path("expired").asBoolean())
                .isTrue();
    }

    @Test
    void anAdminKeysRpmIsEnforcedLikeAConfigFileKeys() {
        String secret = create(gateway, "{\"name\":\"one-a-minute\",\"rpm\":1}");
        HttpResponse<String> first = chat(gateway, secret, "chat");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).hasValue("1");
        JsonNode e = assertOpenAiError(chat(gateway, secret, "chat"), 429);
        assertThat(e.path("message").asText()).contains("API key 'one-a-minute'");
    }

    @Test
    void everyActionWritesOneAuditLineWithoutTheSecret() {
        Logger audit = (Logger) LoggerFactory.getLogger("sluice.audit");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        audit.addAppender(events);
        Level before = audit.getLevel();
        audit.setLevel(Level.INFO);
        try {
            String secret = create(gateway, "{\"name\":\"audited\"}");
            String next = Gateway.json(admin(gateway, "POST", "/admin/keys/audited/rotate", "{}")).path("secret")
                    .asText();
            admin(gateway, "GET", "/admin/keys", null);
            admin(gateway, "DELETE", "/admin/keys/audited", null);
            gateway.get("/admin/keys", "Authorization", "Bearer file-secret-0123456789abcdef0123456789");
            // refused before the admin API: by the key check, and for a body that is not JSON
            gateway.get("/admin/keys/audited");
            gateway.post("/admin/keys/audited/rotate", "{}", "Authorization", "Bearer not-a-key-" + MASTER);
            admin(gateway, "POST", "/admin/keys", "{not json");
            gateway.post("/admin/keys", "{not json", "Authorization", "Bearer file-secret-0123456789abcdef0123456789");
            List<String> lines = events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines).hasSize(9);
            assertThat(lines.get(0)).matches("admin action=create key=audited by=master request_id=\\S+ outcome=ok");
            assertThat(lines.get(1)).startsWith("admin action=rotate key=audited by=master").endsWith("outcome=ok");
            assertThat(lines.get(2)).startsWith("admin action=list key=-");
            assertThat(lines.get(3)).startsWith("admin action=revoke key=audited");
            assertThat(lines.get(4)).contains("by=key 'file-key'").endsWith("outcome=refused 403");
            assertThat(lines.get(5)).startsWith("admin action=show key=audited by=no key")
                    .endsWith("outcome=refused 401");
            assertThat(lines.get(6)).startsWith("admin action=rotate key=audited by=an unknown key")
                    .endsWith("outcome=refused 401");
            assertThat(lines.get(7)).startsWith("admin action=create key=- by=master").endsWith("outcome=refused 400");
            assertThat(lines.get(8)).as("the master check comes before the body").contains("by=key 'file-key'")
                    .endsWith("outcome=refused 403");
            assertThat(lines.get(0)).doesNotContain("request_id=-");
            for (String l : lines) {
                assertThat(l).doesNotContain(secret).doesNotContain(next).doesNotContain(MASTER)
                        .doesNotContain(secret.substring("sk-sluice-".length(), 30));
            }
        } finally {
            audit.detachAppender(events);
            audit.setLevel(before);
        }
    }

    @Test
    void keysSurviveARestartInAFileNextToTheConfigThatHoldsNoSecret() throws Exception {
        Path other = dir.resolve("restart.yaml");
        Files.writeString(other, Files.readString(config));
        TestClock c = TestClock.at(Instant.now());
        Gateway first = Gateway.builder().env("SIM_TTFT_MS", 0).env("sluice.config.file", other.toString())
                .singleton(c).start();
        String secret;
        try {
            secret = create(first, "{\"name\":\"durable\",\"models\":[\"chat\"]}");
        } finally {
            first.close();
        }
        Path file = dir.resolve("restart.keys.json");
        assertThat(file).exists();
        assertThat(Files.readString(file)).contains("\"durable\"").doesNotContain(secret);
        try (var tmp = Files.list(dir)) {
            assertThat(tmp.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp"))).isEmpty();
        }
        Gateway second = Gateway.builder().env("SIM_TTFT_MS", 0).env("sluice.config.file", other.toString())
                .singleton(c).start();
        try {
            assertThat(chat(second, secret, "chat").statusCode()).isEqualTo(200);
            assertOpenAiError(chat(second, secret, "other"), 403);
        } finally {
            second.close();
        }
    }

    @Test
    void adminKeysStayInForceAcrossAConfigReload() throws Exception {
        Path other = dir.resolve("reload.yaml");
        Files.writeString(other, Files.readString(config));
        Gateway g = Gateway.builder().env("SIM_TTFT_MS", 0).env("CONFIG_WATCH_MS", 0)
                .env("sluice.config.file", other.toString()).singleton(TestClock.at(Instant.now())).start();
        try {
            String secret = create(g, "{\"name\":\"across-reloads\"}");
            Files.writeString(other, Files.readString(config).replace("model_list:\n",
                    "model_list:\n  - {model_name: added, params: {model: sim/added}}\n"));
            assertThat(g.bean(dev.sluice.ConfigReload.class).reload(true))
                    .isEqualTo(dev.sluice.ConfigReload.Result.APPLIED);
            assertThat(chat(g, secret, "added").statusCode()).isEqualTo(200);
            assertThat(chat(g, "file-secret-0123456789abcdef0123456789", "added").statusCode()).isEqualTo(200);
            // a config edit that gives a file key an admin key's name: the file's key takes the name
            Files.writeString(other, Files.readString(other).replace("keys:\n",
                    "keys:\n  - {name: across-reloads, key: later-file-secret-0123456789abcdef01}\n"));
            assertThat(g.bean(dev.sluice.ConfigReload.class).reload(true))
                    .isEqualTo(dev.sluice.ConfigReload.Result.APPLIED);
            assertThat(chat(g, "later-file-secret-0123456789abcdef01", "chat").statusCode()).isEqualTo(200);
            long start = System.nanoTime();
            while (chat(g, secret, "chat").statusCode() != 401) {
                assertThat(System.nanoTime() - start).as("the shadowed admin key is left out").isLessThan(5_000_000_000L);
                Thread.sleep(20);
            }
        } finally {
            g.close();
        }
    }

    @Test
    void theAdminEndpointsAreInTheOpenApiDocument() {
        JsonNode paths = Gateway.json(gateway.get("/openapi.json")).path("paths");
        assertThat(paths.path("/admin/keys").has("post")).isTrue();
        assertThat(paths.path("/admin/keys").has("get")).isTrue();
        assertThat(paths.path("/admin/keys/{name}").has("delete")).isTrue();
        assertThat(paths.path("/admin/keys/{name}").has("get")).isTrue();
        assertThat(paths.path("/admin/keys/{name}/rotate").path("post").path("summary").asText()).contains("Rotate");
        assertThat(paths.path("/admin/keys").path("post").path("requestBody").toString())
                .contains("CreateKeyRequest");
    }
}
