package dev.sluice.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.Reply;
import dev.sluice.testing.TestClock;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Spend and budgets in one gateway (no Redis) in front of a fake vLLM whose answers report known usage, on a clock
 * the test moves: spend settled from JSON answers and streams equals tokens × price, budgets refuse in each dialect
 * naming the budget with Retry-After until the reset, and /v1/usage, the metric and the header show it.
 */
class BudgetsTest {
    static final String MASTER = "master-key-for-the-budget-tests-0123456789";
    static final Instant START = Instant.parse("2026-12-07T22:00:00Z");
    static final String CONFIG = """
            model_list:
              - model_name: chat
                model_info: {id: chat-fake}
                params: {model: vllm/served, api_base: %1$s}
                price: {input: 1, output: 2, cached_input: 0.5}
              - model_name: capped
                params: {model: vllm/served, api_base: %1$s}
                price: {input: 1, output: 2}
                budget: {monthly: 0.003}
              - model_name: gpu
                params: {model: vllm/served, api_base: %1$s}
                price: {gpu_hour: 3600}
              - model_name: reloaded
                params: {model: vllm/served, api_base: %1$s}
                price: {input: 1, output: 2, cached_input: 0.5}
            keys:
              - {name: json-key, key: json-secret-0123456789abcdef0123}
              - {name: stream-key, key: stream-secret-0123456789abcdef01}
              - {name: cut-key, key: cut-secret-0123456789abcdef012345}
              - {name: team-a, key: team-a-secret-0123456789abcdef0123, budget: {daily: 0.004, monthly: 1}}
              - {name: alias-b, key: alias-b-secret-0123456789abcdef0123, budget: {daily: 1}}
              - {name: alias-c, key: alias-c-secret-0123456789abcdef0123}
              - {name: usage-key, key: usage-secret-0123456789abcdef0123}
              - {name: metric-key, key: metric-secret-0123456789abcdef0123}
              - {name: reload-key, key: reload-secret-0123456789abcdef0123}
              - {name: gpu-key, key: gpu-secret-0123456789abcdef01234567}
            general_settings:
              master_key: %2$s
            """;
    static FakeRuntime fake;
    static Path file;
    static TestClock clock;
    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        fake = FakeRuntime.vllm();
        file = Files.createTempFile("sluice-budgets", ".yaml");
        Files.writeString(file, CONFIG.formatted(fake.baseUrl(), MASTER));
        clock = TestClock.at(START);
        gateway = Gateway.builder().env("sluice.config.file", file.toString()).singleton(clock).start();
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        fake.close();
        Files.deleteIfExists(file);
    }

    static String body(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"what does this cost?\"}]}";
    }

    static String completion(long prompt, long completion, long cached) {
        return "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"served\",\"choices\":[{"
                + "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"a little\"},\"finish_reason\":"
                + "\"stop\"}],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + (prompt + completion) + ",\"prompt_tokens_details\":{\"cached_tokens\":"
                + cached + "}}}";
    }

    static String chunk(String content) {
        return "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"served\",\"choices\":[{"
                + "\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":null}]}";
    }

    static HttpResponse<String> chat(String key, String model) {
        fake.enqueue(Reply.json(completion(1000, 500, 400)));
        return gateway.post("/v1/chat/completions", body(model, false), "Authorization", "Bearer " + key);
    }

    static JsonNode usage(String key) {
        HttpResponse<String> r = gateway.get("/v1/usage", "Authorization", "Bearer " + key);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Gateway.json(r);
    }

    /** Spend is settled when the request is reported, just after its last byte: wait for it rather than race it. */
    static JsonNode settled(String key, long requests) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        JsonNode u = usage(key);
        while (u.at("/keys/0/day/requests").asLong() < requests && System.nanoTime() < end) {
            Thread.sleep(10);
            u = usage(key);
        }
        assertThat(u.at("/keys/0/day/requests").asLong()).as(u.toString()).isEqualTo(requests);
        return u;
    }

    static long secondsToNextDay() {
        Instant now = clock.instant();
        return Duration.between(now, LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1).atStartOfDay()
                .toInstant(ZoneOffset.UTC)).toSeconds();
    }

    @Test
    void aJsonAnswerIsChargedItsUsageAtTheDeploymentsPriceCachedInputApart() throws Exception {
        assertThat(chat("json-secret-0123456789abcdef0123", "chat").statusCode()).isEqualTo(200);
        JsonNode day = settled("json-secret-0123456789abcdef0123", 1).at("/keys/0/day");
        // 600 uncached × $1/M + 400 cached × $0.5/M + 500 output × $2/M
        assertThat(day.path("spend").decimalValue()).isEqualByComparingTo("0.0018");
        assertThat(day.path("input_tokens").asLong()).isEqualTo(1000);
        assertThat(day.path("cached_input_tokens").asLong()).isEqualTo(400);
        assertThat(day.path("output_tokens").asLong()).isEqualTo(500);
        assertThat(day.path("budget").isNull()).isTrue();
    }

    @Test
    void aStreamIsChargedTheUsageItEndsWith() throws Exception {
        fake.enqueue(Reply.sse().data(chunk("a")).data(chunk("b")).data("{\"id\":\"c1\",\"object\":"
                + "\"chat.completion.chunk\",\"created\":0,\"model\":\"served\",\"choices\":[],\"usage\":{"
                + "\"prompt_tokens\":200,\"completion_tokens\":100,\"total_tokens\":300}}"));
        HttpResponse<String> r = gateway.post("/v1/chat/completions", body("chat", true), "Authorization",
                "Bearer stream-secret-0123456789abcdef01");
        assertThat(r.body()).contains("[DONE]");
        JsonNode day = settled("stream-secret-0123456789abcdef01", 1).at("/keys/0/day");
        assertThat(day.path("spend").decimalValue()).isEqualByComparingTo("0.0004"); // 200 × $1/M + 100 × $2/M
        assertThat(day.path("output_tokens").asLong()).isEqualTo(100);
    }

    @Test
    void aStreamCutWithoutUsageIsChargedTheInputEstimateAndTheContentRelayed() throws Exception {
        fake.enqueue(Reply.sse().data(chunk("a")).data(chunk("b")).data(chunk("c")).cutAfter(3));
        String body = body("chat", true);
        HttpResponse<String> r = gateway.post("/v1/chat/completions", body, "Authorization",
                "Bearer cut-secret-0123456789abcdef012345");
        assertThat(r.body()).contains("\"error\"").doesNotContain("[DONE]");
        JsonNode day = settled("cut-secret-0123456789abcdef012345", 1).at("/keys/0/day");
        long input = body.getBytes(StandardCharsets.UTF_8).length / 4;
        assertThat(day.path("input_tokens").asLong()).as("bytes / 4, as the token limits estimate").isEqualTo(input);
        assertThat(day.path("output_tokens").asLong()).as("one per content event").isEqualTo(3);
        assertThat(day.path("spend").decimalValue()).isEqualByComparingTo(
                BigDecimal.valueOf(input + 3 * 2).movePointLeft(6));
    }

    @Test
    void aKeyOverItsDailyBudgetIsRefusedInEachDialectNamingItUntilTheDayEnds() throws Exception {
        String key = "team-a-secret-0123456789abcdef0123";
        HttpResponse<String> first = chat(key, "chat");
        assertThat(first.headers().firstValue("x-sluice-budget-remaining")).hasValue("0.004");
        settled(key, 1);
        assertThat(chat(key, "chat").headers().firstValue("x-sluice-budget-remaining")).hasValue("0.0022");
        settled(key, 2);
        // $0.0036 of $0.004 spent: still below, so admitted (budgets are post-paid), and then over
        assertThat(chat(key, "chat").headers().firstValue("x-sluice-budget-remaining")).hasValue("0.0004");
        settled(key, 3);
        int upstream = fake.apiRequests().size();

        HttpResponse<String> refused = gateway.post("/v1/chat/completions", body("chat", false), "Authorization",
                "Bearer " + key);
        assertThat(refused.statusCode()).isEqualTo(429);
        JsonNode error = Gateway.json(refused).path("error");
        assertThat(error.path("type").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.path("code").asText()).isEqualTo("budget_exceeded");
        assertThat(error.path("message").asText()).isEqualTo("budget exceeded: API key 'team-a' has spent its daily"
                + " budget of $0.004 ($0.0054 today); it resets at 2026-12-08T00:00:00Z, in " + secondsToNextDay()
                + " s");
        assertThat(refused.headers().firstValue("retry-after")).hasValue(Long.toString(secondsToNextDay()));
        assertThat(refused.headers().firstValue("x-should-retry")).as("only the reset helps").hasValue("false");
        assertThat(refused.headers().firstValue("x-sluice-budget-remaining")).hasValue("0.00");

        HttpResponse<String> anthropic = gateway.post("/v1/messages", "{\"model\":\"chat\",\"max_tokens\":10,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-api-key", key, "anthropic-version",
                "2023-06-01");
        assertThat(anthropic.statusCode()).isEqualTo(429);
        assertThat(Gateway.json(anthropic).path("type").asText()).isEqualTo("error");
        assertThat(Gateway.json(anthropic).at("/error/type").asText()).isEqualTo("rate_limit_error");
        assertThat(Gateway.json(anthropic).at("/error/message").asText()).contains("daily budget of $0.004");

        HttpResponse<String> responses = gateway.post("/v1/responses", "{\"model\":\"chat\",\"input\":\"hi\"}",
                "Authorization", "Bearer " + key);
        assertThat(responses.statusCode()).isEqualTo(429);
        assertThat(Gateway.json(responses).at("/error/code").asText()).as("Responses: the OpenAI envelope")
                .isEqualTo("budget_exceeded");

        RateLimitException sdk = catchThrowableOfType(RateLimitException.class, () -> gateway.openAi(key).chat()
                .completions().create(ChatCompletionCreateParams.builder().model("chat").addUserMessage("hi").build()));
        assertThat(sdk.getMessage()).contains("API key 'team-a' has spent its daily budget");
        assertThat(fake.apiRequests()).as("no refused request reached the runtime").hasSize(upstream);

        clock.advance(Duration.ofSeconds(secondsToNextDay())); // midnight UTC: a new day, the month has room
        assertThat(chat(key, "chat").statusCode()).isEqualTo(200);
        JsonNode after = settled(key, 1);
        assertThat(after.at("/keys/0/day/spend").decimalValue()).isEqualByComparingTo("0.0018");
        assertThat(after.at("/keys/0/month/spend").decimalValue()).isEqualByComparingTo("0.0072");
    }

    @Test
    void anAliasOverItsBudgetIsRefusedWhicheverKeyAsks() throws Exception {
        assertThat(chat("alias-b-secret-0123456789abcdef0123", "capped").statusCode()).isEqualTo(200);
        settled("alias-b-secret-0123456789abcdef0123", 1);
        HttpResponse<String> second = chat("alias-c-secret-0123456789abcdef0123", "capped");
        assertThat(second.statusCode()).isEqualTo(200);
        // no cached_input price here: the 400 cached tokens cost the input price, $0.002 a request
        assertThat(second.headers().firstValue("x-sluice-budget-remaining")).as("the alias's $0.003 less $0.002")
                .hasValue("0.001");
        settled("alias-c-secret-0123456789abcdef0123", 1);
        HttpResponse<String> refused = gateway.post("/v1/chat/completions", body("capped", false), "Authorization",
                "Bearer alias-b-secret-0123456789abcdef0123");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(Gateway.json(refused).at("/error/message").asText()).startsWith("budget exceeded: model 'capped'"
                + " has spent its monthly budget of $0.003 ($0.004 this month); it resets at 2027-01-01T00:00:00Z");
        long toMonthEnd = Duration.between(clock.instant(), Instant.parse("2027-01-01T00:00:00Z")).toSeconds();
        assertThat(refused.headers().firstValue("retry-after")).hasValue(Long.toString(toMonthEnd));
    }

    @Test
    void aKeySeesItsOwnUsageAndTheMasterKeySeesEveryKeyAliasAndPrice() throws Exception {
        assertThat(chat("usage-secret-0123456789abcdef0123", "chat").statusCode()).isEqualTo(200);
        JsonNode own = usage("usage-secret-0123456789abcdef0123");
        assertThat(own.path("object").asText()).isEqualTo("usage");
        assertThat(own.path("keys")).hasSize(1);
        assertThat(own.at("/keys/0/name").asText()).isEqualTo("usage-key");
        assertThat(own.path("models")).isEmpty();
        assertThat(own.has("prices")).isFalse();
        assertThat(own.at("/day/resets_at").asText()).endsWith("T00:00:00Z");

        JsonNode all = usage(MASTER);
        assertThat(all.path("keys").findValuesAsText("name")).as("budgeted keys, spent or not, and those that spent")
                .contains("team-a", "alias-b", "usage-key");
        assertThat(all.path("models").findValuesAsText("name")).contains("chat", "capped");
        JsonNode capped = null;
        for (JsonNode m : all.path("models")) {
            capped = m.path("name").asText().equals("capped") ? m : capped;
        }
        assertThat(capped.at("/month/budget").decimalValue()).isEqualByComparingTo("0.003");
        assertThat(capped.at("/day/budget").isNull()).isTrue();
        assertThat(all.path("prices").findValuesAsText("deployment")).containsExactly("capped#1", "chat-fake",
                "gpu#1", "reloaded#1");
        assertThat(all.path("prices").get(1).path("cached_input").decimalValue()).isEqualByComparingTo("0.5");

        JsonNode api = Gateway.json(gateway.get("/openapi.json"));
        assertThat(api.at("/paths/~1v1~1usage/get/summary").asText()).contains("Spend");
        assertThat(api.at("/components/schemas/CreateKeyRequest/properties/budget").isMissingNode()).isFalse();
        assertThat(Gateway.json(gateway.get("/")).path("endpoints").toString()).contains("GET /v1/usage");
    }

    @Test
    void spendIsCountedInTheMetricsByKeyAndAlias() throws Exception {
        assertThat(chat("metric-secret-0123456789abcdef0123", "chat").statusCode()).isEqualTo(200);
        long end = System.nanoTime() + 5_000_000_000L;
        String page = gateway.get("/metrics").body();
        while (!page.contains("sluice_spend_total{key=\"metric-key\",model=\"chat\"}") && System.nanoTime() < end) {
            Thread.sleep(20);
            page = gateway.get("/metrics").body();
        }
        assertThat(page).contains("sluice_spend_total{key=\"metric-key\",model=\"chat\"} 0.0018")
                .doesNotContain("metric-secret");
    }

    @Test
    void aGpuHourPriceChargesTheGpuTimeTheRequestTookAtTheMeasuredRate() throws Exception {
        // $3600 a GPU-hour is $1 a second; output is priced at that over the tokens per second measured, so one
        // request alone costs about its own duration: at least the 300 ms the runtime took
        fake.enqueue(Reply.json(completion(1000, 500, 0)).after(Duration.ofMillis(300)));
        assertThat(gateway.post("/v1/chat/completions", body("gpu", false), "Authorization",
                "Bearer gpu-secret-0123456789abcdef01234567").statusCode()).isEqualTo(200);
        JsonNode day = settled("gpu-secret-0123456789abcdef01234567", 1).at("/keys/0/day");
        assertThat(day.path("spend").decimalValue()).isBetween(new BigDecimal("0.3"), new BigDecimal("30"));
        JsonNode gpu = null;
        for (JsonNode p : usage(MASTER).path("prices")) {
            gpu = p.path("deployment").asText().equals("gpu#1") ? p : gpu;
        }
        assertThat(gpu.path("gpu_hour").decimalValue()).isEqualByComparingTo("3600");
        double rate = gpu.path("measured_output_tokens_per_second").asDouble();
        assertThat(rate).as("500 tokens in at least 300 ms").isPositive().isLessThanOrEqualTo(500 / 0.3);
        assertThat(gpu.path("output").decimalValue()).as("$1 a second over the rate, per million")
                .isCloseTo(BigDecimal.valueOf(1e6 / rate), org.assertj.core.data.Percentage.withPercentage(1));
    }

    @Test
    void aConfigReloadAppliesAnAliasBudgetToTheRequestsAfterIt() throws Exception {
        String key = "reload-secret-0123456789abcdef0123";
        assertThat(chat(key, "reloaded").headers().firstValue("x-sluice-budget-remaining")).isEmpty();
        settled(key, 1);
        Files.writeString(file, CONFIG.formatted(fake.baseUrl(), MASTER).replace("""
                    price: {input: 1, output: 2, cached_input: 0.5}
                keys:""", """
                    price: {input: 1, output: 2, cached_input: 0.5}
                    budget: {daily: 0.002}
                keys:"""));
        assertThat(gateway.bean(dev.sluice.ConfigReload.class).reload(true).name()).isEqualTo("APPLIED");
        // what the alias spent before the reload counts against the budget it now has
        assertThat(chat(key, "reloaded").headers().firstValue("x-sluice-budget-remaining")).hasValue("0.0002");
        settled(key, 2);
        HttpResponse<String> refused = gateway.post("/v1/chat/completions", body("reloaded", false),
                "Authorization", "Bearer " + key);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(Gateway.json(refused).at("/error/message").asText()).contains("model 'reloaded' has spent its"
                + " daily budget of $0.002");
    }

    @Test
    void theAdminApiTakesABudgetShowsItAndTheKeyIsHeldToIt() throws Exception {
        HttpResponse<String> created = gateway.post("/admin/keys", "{\"name\":\"from-admin\",\"budget\":"
                + "{\"daily\":0.001,\"monthly\":20}}", "Authorization", "Bearer " + MASTER);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode view = Gateway.json(created);
        assertThat(view.at("/budget/daily").decimalValue()).isEqualByComparingTo("0.001");
        assertThat(view.at("/budget/monthly").decimalValue()).isEqualByComparingTo("20");
        String secret = view.path("secret").asText();
        assertThat(chat(secret, "chat").statusCode()).isEqualTo(200);
        settled(secret, 1);
        HttpResponse<String> refused = gateway.post("/v1/chat/completions", body("chat", false), "Authorization",
                "Bearer " + secret);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(Gateway.json(refused).at("/error/message").asText()).contains("API key 'from-admin' has spent"
                + " its daily budget of $0.001");

        for (String bad : new String[] {"{\"name\":\"b1\",\"budget\":{\"daily\":-1}}",
            "{\"name\":\"b2\",\"budget\":{\"weekly\":5}}", "{\"name\":\"b3\",\"budget\":5}",
            "{\"name\":\"b4\",\"max_budget\":5}"}) {
            HttpResponse<String> r = gateway.post("/admin/keys", bad, "Authorization", "Bearer " + MASTER);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(Gateway.json(r).at("/error/message").asText()).as(bad).containsAnyOf("budget", "daily",
                    "monthly");
        }
    }
}
