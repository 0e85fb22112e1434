package dev.sluice.keys;

import static dev.sluice.keys.KeyAdminTest.chat;
import static dev.sluice.testing.OpenAiErrorAssert.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.ConfigReload;
import dev.sluice.testing.Gateway;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The master key from SLUICE_MASTER_KEY (the variable {@code sluice keys} also reads), over real HTTP: with no config
 * file at all, with a file that gives none, and over a file's {@code master_key}, where the variable wins as every
 * variable does over its file key (config/Precedence), reloads included.
 */
class MasterKeyFromEnvironmentTest {
    static final String MASTER = "env-master-key-0123456789abcdef0123456789";
    static final String FILE_MASTER = "file-master-key-0123456789abcdef012345678";

    static Gateway.Builder sim() {
        return Gateway.builder().env("SIM_TTFT_MS", 0).env("SIM_TOKENS_PER_S", 0);
    }

    static HttpResponse<String> create(Gateway g, String master, String name) {
        return g.post("/admin/keys", "{\"name\":\"" + name + "\"}", "Authorization", "Bearer " + master);
    }

    @Test
    void withoutAConfigFileTheVariableOpensTheAdminApiAndIsAClientKey() {
        try (Gateway g = sim().env("SLUICE_MASTER_KEY", MASTER).start()) {
            HttpResponse<String> created = create(g, MASTER, "team-env");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String secret = Gateway.json(created).path("secret").asText();

            assertThat(chat(g, secret, "sim").statusCode()).as("a key created there works at once").isEqualTo(200);
            assertThat(chat(g, MASTER, "sim").statusCode()).as("the master key is a client key").isEqualTo(200);
            assertOpenAiError(chat(g, "not-the-master-key", "sim"), 401);
            assertOpenAiError(g.get("/admin/keys", "Authorization", "Bearer " + secret), 403);
        }
    }

    @Test
    void withoutAnyMasterKeyTheAdminApiSaysHowToSetOne() {
        try (Gateway g = sim().env("API_KEYS", "client-key-0123456789abcdef0123456789").start()) {
            JsonNode e = assertOpenAiError(g.get("/admin/keys", "Authorization",
                    "Bearer client-key-0123456789abcdef0123456789"), 403);
            assertThat(e.path("message").asText()).contains("SLUICE_MASTER_KEY").contains("general_settings.master_key");
        }
    }

    @Test
    void aFileWithoutAMasterKeyTakesTheVariableAndKeepsItAcrossAReload() throws Exception {
        Path file = Files.createTempDirectory("sluice-env-master").resolve("sluice.yaml");
        Files.writeString(file, "model_list:\n  - {model_name: chat, params: {model: sim/chat}}\n");
        try (Gateway g = sim().env("SLUICE_MASTER_KEY", MASTER).env("CONFIG_WATCH_MS", 0)
                .env("sluice.config.file", file.toString()).start()) {
            assertThat(create(g, MASTER, "before-reload").statusCode()).isEqualTo(201);

            Files.writeString(file, "model_list:\n  - {model_name: chat, params: {model: sim/chat}}\n"
                    + "  - {model_name: more, params: {model: sim/more}}\n");
            assertThat(g.bean(ConfigReload.class).reload(true)).isEqualTo(ConfigReload.Result.APPLIED);

            assertThat(create(g, MASTER, "after-reload").statusCode()).isEqualTo(201);
            assertThat(chat(g, MASTER, "more").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void theVariableWinsOverTheFilesMasterKey() throws Exception {
        Path file = Files.createTempDirectory("sluice-env-master").resolve("sluice.yaml");
        Files.writeString(file, "model_list:\n  - {model_name: chat, params: {model: sim/chat}}\n"
                + "general_settings:\n  master_key: " + FILE_MASTER + "\n");
        try (Gateway g = sim().env("SLUICE_MASTER_KEY", MASTER).env("sluice.config.file", file.toString()).start()) {
            assertThat(create(g, MASTER, "by-env").statusCode()).isEqualTo(201);
            assertOpenAiError(create(g, FILE_MASTER, "by-file"), 401);
        }
    }
}
