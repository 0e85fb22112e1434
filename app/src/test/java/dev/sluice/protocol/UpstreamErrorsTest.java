package dev.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.protocol.Json;
import dev.sluice.testing.TestResources;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every error-body shape of protocols.md §4.4, classified as §3.10 says; real bodies where fixtures exist. */
class UpstreamErrorsTest {

    /**
     * One row of the table.
     *
     * @param message the exact message expected, or {@code ~text} for "contains text"
     */
    record Case(String name, int upstreamStatus, byte[] body, ErrorKind kind, int status, String message,
            String code, String param) {
        @Override
        public String toString() {
            return name;
        }
    }

    static byte[] fixture(String path) {
        return TestResources.bytes("fixtures/" + path);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                // 1: Anthropic {"type":"error","error":{type,message}}
                new Case("anthropic 400 invalid_request_error (fixture)", 400,
                        fixture("anthropic/error-400-invalid-request.json"), ErrorKind.INVALID_REQUEST, 400,
                        "~unexpected `tool_use_id` found in `tool_result` blocks", null, null),
                new Case("anthropic 429 rate_limit_error (fixture)", 429, fixture("anthropic/error-429-rate-limit.json"),
                        ErrorKind.RATE_LIMITED, 429, "~would exceed your organization's rate limit",
                        "rate_limit_exceeded", null),
                // 2: OpenAI / vLLM (new) / Ollama /v1 / llama.cpp {"error":{message,type,param,code}}
                new Case("openai 400 unsupported parameter (fixture)", 400,
                        fixture("openai/chat-error-400-unsupported-parameter.json"), ErrorKind.INVALID_REQUEST, 400,
                        "Unsupported parameter: 'max_tokens' is not supported with this model. Use"
                                + " 'max_completion_tokens' instead.", "unsupported_parameter", "max_tokens"),
                new Case("openai 400 empty messages (fixture)", 400,
                        fixture("openai/chat-error-400-empty-messages.json"), ErrorKind.INVALID_REQUEST, 400,
                        "~Invalid 'messages': empty array", "empty_array", "messages"),
                new Case("openai 404 model not found (fixture)", 404,
                        fixture("openai/chat-error-404-model-not-found.json"), ErrorKind.NOT_FOUND, 404,
                        "The model `gpt-4.1-nano-wrong` does not exist or you do not have access to it.",
                        "model_not_found", "model"),
                new Case("openai embeddings 400 (fixture)", 400, fixture("openai/embeddings-error-400.json"),
                        ErrorKind.INVALID_REQUEST, 400, "-1 is less than the minimum of 1 - 'dimensions'", null, null),
                new Case("vllm 400 context length, integer code (fixture)", 400,
                        fixture("vllm/chat-error-400-context-length.json"), ErrorKind.CONTEXT_LENGTH, 400,
                        "~the model's context length is only 4096 tokens", "context_length_exceeded", "messages"),
                new Case("vllm 400 maximum context length", 400, utf8("""
                        {"error":{"message":"This model's maximum context length is 4096 tokens. However, you requested\
                         5000 tokens (4000 in the messages, 1000 in the completion).","type":"BadRequestError",\
                        "param":null,"code":400}}"""), ErrorKind.CONTEXT_LENGTH, 400,
                        // the prompt fits; prompt + max_tokens does not: Anthropic's max_tokens wording (§1.10)
                        "~input length and `max_tokens` exceed context limit: 4000 + 1000 > 4096",
                        "context_length_exceeded", "messages"),
                new Case("vllm 404 unknown model", 404, utf8("""
                        {"error":{"message":"The model `llama-9` does not exist.","type":"NotFoundError",\
                        "param":"model","code":404}}"""), ErrorKind.NOT_FOUND, 404,
                        "The model `llama-9` does not exist.", "model_not_found", "model"),
                new Case("ollama /v1 400 invalid image (fixture)", 400,
                        fixture("ollama/chat-error-400-invalid-image.json"), ErrorKind.INVALID_REQUEST, 400,
                        "invalid image input", null, null),
                new Case("ollama /v1 404 model not found (fixture)", 404, fixture("ollama/models-retrieve-error.json"),
                        ErrorKind.NOT_FOUND, 404, "model not found", "model_not_found", "model"),
                new Case("llama.cpp 400 exceed_context_size_error", 400, utf8("""
                        {"error":{"code":400,"message":"the request exceeds the available context size, try\
                         increasing it","type":"exceed_context_size_error","n_prompt_tokens":5000,"n_ctx":4096}}"""),
                        ErrorKind.CONTEXT_LENGTH, 400, "~exceeds the available context size",
                        "context_length_exceeded", "messages"),
                new Case("llama.cpp 503 loading model", 503, utf8("""
                        {"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}"""),
                        ErrorKind.OVERLOADED, 503, "Loading model", null, null),
                // 3: SGLang / vLLM (old) flat {"object":"error",message,type,param,code:int}
                new Case("sglang flat 400", 400, utf8("""
                        {"object":"error","message":"Invalid value for 'top_p'","type":"BadRequestError",\
                        "param":null,"code":400}"""), ErrorKind.INVALID_REQUEST, 400, "Invalid value for 'top_p'",
                        null, null),
                new Case("sglang flat 400 context overflow", 400, utf8("""
                        {"object":"error","message":"The input (5000 tokens) is longer than the model's context\
                         length (4096 tokens).","type":"BadRequestError","param":null,"code":400}"""),
                        ErrorKind.CONTEXT_LENGTH, 400, "~is longer than the model's context length",
                        "context_length_exceeded", "messages"),
                // 4: TGI {"error":"...","error_type":"..."}
                new Case("tgi 422 tool error (fixture)", 422, fixture("tgi/chat-error-422-tool-error.json"),
                        ErrorKind.INVALID_REQUEST, 400, "Tool error: Grammar and tools are mutually exclusive", null,
                        null),
                new Case("tgi 422 inputs + max_new_tokens too long", 422, utf8("""
                        {"error":"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096.\
                         Given: 4000 `inputs` tokens and 1024 `max_new_tokens`","error_type":"validation"}"""),
                        ErrorKind.CONTEXT_LENGTH, 400, "~`max_new_tokens` must be <= 4096", "context_length_exceeded",
                        "messages"),
                new Case("tgi 424 generation error is the server's failure, not the client's", 424, utf8("""
                        {"error":"Request failed during generation: Server error: CUDA out of memory",\
                        "error_type":"generation"}"""), ErrorKind.API_ERROR, 500,
                        "Request failed during generation: Server error: CUDA out of memory", null, null),
                new Case("tgi 503 unhealthy", 503, utf8("{\"error\":\"unhealthy\",\"error_type\":\"healthcheck\"}"),
                        ErrorKind.OVERLOADED, 503, "unhealthy", null, null),
                // 5: Ollama native / LM Studio {"error":"..."}
                new Case("ollama native 404 model not found", 404, utf8("""
                        {"error":"model \\"llama9\\" not found, try pulling it first"}"""), ErrorKind.NOT_FOUND, 404,
                        "model \"llama9\" not found, try pulling it first", "model_not_found", "model"),
                new Case("lm studio 404 no models loaded", 404, utf8("{\"error\":\"No models loaded\"}"),
                        ErrorKind.NOT_FOUND, 404, "No models loaded", "model_not_found", "model"),
                // 6: FastAPI {"detail": string | [{loc,msg,type}]}
                new Case("fastapi detail string", 404, utf8("{\"detail\":\"Not Found\"}"), ErrorKind.NOT_FOUND, 404,
                        "Not Found", null, null),
                new Case("fastapi detail list", 422, utf8("""
                        {"detail":[{"type":"missing","loc":["body","messages"],"msg":"Field required","input":{}},\
                        {"type":"float_parsing","loc":["body","temperature"],"msg":"Input should be a valid number"}]}\
                        """), ErrorKind.INVALID_REQUEST, 400, "[\"body\",\"messages\"]: Field required;"
                        + " [\"body\",\"temperature\"]: Input should be a valid number", null, null),
                // 7: not JSON
                new Case("plain text (Docker Model Runner scheduler)", 404, utf8("not found\n"), ErrorKind.NOT_FOUND,
                        404, "not found", null, null),
                new Case("html page from a proxy", 502, utf8("""
                        <html>\r
                        <head><title>502 Bad Gateway</title></head>\r
                        <body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body>\r
                        </html>"""), ErrorKind.API_ERROR, 502, "upstream returned a non-JSON (HTML) error page", null,
                        null),
                new Case("empty body 500", 500, new byte[0], ErrorKind.API_ERROR, 500, "upstream returned HTTP 500",
                        null, null),
                new Case("empty body 504", 504, new byte[0], ErrorKind.TIMEOUT, 504, "upstream returned HTTP 504",
                        null, null),
                new Case("whitespace body 503", 503, utf8(" \n"), ErrorKind.OVERLOADED, 503,
                        "upstream returned HTTP 503", null, null),
                // error under HTTP 200 (vLLM-style flat error seen in the wild, §4.4)
                new Case("flat error under HTTP 200", 200, utf8("""
                        {"object":"error","message":"Sampling failed","type":"InternalServerError","param":null,\
                        "code":500}"""), ErrorKind.BAD_GATEWAY, 502, "Sampling failed", null, null),
                // the backend refused the gateway's own key: not the client's fault, and not the client's key
                new Case("401 from the backend", 401, utf8("""
                        {"error":{"message":"Incorrect API key provided: sk-ab***yz","type":"invalid_request_error",\
                        "param":null,"code":"invalid_api_key"}}"""), ErrorKind.BAD_GATEWAY, 502,
                        "the backend rejected the gateway's credentials (HTTP 401); check BACKEND_API_KEY", null, null),
                new Case("409 keeps its status and stays retryable", 409,
                        utf8("{\"error\":{\"message\":\"conflict\"}}"), ErrorKind.CONFLICT, 409, "conflict", null,
                        null),
                new Case("other 4xx passes on its own status", 418, utf8("{\"error\":{\"message\":\"teapot\"}}"),
                        ErrorKind.UPSTREAM_CLIENT_ERROR, 418, "teapot", null, null)
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void classifiesEveryErrorBodyShape(Case c) {
        GatewayException e = UpstreamErrors.from(c.upstreamStatus(), c.body(), Map.of(), null);

        assertThat(e.kind()).as("kind").isEqualTo(c.kind());
        assertThat(e.status()).as("status").isEqualTo(c.status());
        if (c.message().startsWith("~")) {
            assertThat(e.getMessage()).as("message").contains(c.message().substring(1));
        } else {
            assertThat(e.getMessage()).as("message").isEqualTo(c.message());
        }
        assertThat(e.code()).as("code").isEqualTo(c.code());
        assertThat(e.param()).as("param").isEqualTo(c.param());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void neverReturnsAnEmptyOrOversizedMessage(Case c) {
        GatewayException e = UpstreamErrors.from(c.upstreamStatus(), c.body(), Map.of(), null);

        assertThat(e.getMessage()).isNotBlank().hasSizeLessThanOrEqualTo(1025);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "anthropic/error-400-invalid-request.json, invalid_request_error",
            "anthropic/error-429-rate-limit.json, rate_limit_error",
            "openai/chat-error-404-model-not-found.json, invalid_request_error",
            "vllm/chat-error-400-context-length.json, BadRequestError",
            "tgi/chat-error-422-tool-error.json, tool_error",
    })
    void parseReadsTheTypeOfEachShape(String fixture, String type) {
        assertThat(UpstreamErrors.parse(fixture(fixture)).type()).isEqualTo(type);
    }

    @Test
    void parseKeepsAnIntegerCodeAsTextButClassificationDropsIt() {
        byte[] body = fixture("vllm/chat-error-400-context-length.json");
        assertThat(UpstreamErrors.parse(body).code()).isEqualTo("400");

        byte[] flat = utf8("{\"object\":\"error\",\"message\":\"bad\",\"type\":\"BadRequestError\",\"code\":400}");
        assertThat(UpstreamErrors.from(400, flat, Map.of(), null).code())
                .as("OpenAI clients expect a string code or null").isNull();
    }

    // --- Retry-After ---

    @Test
    void keepsTheUpstreamRetryAfterOnRateLimits() {
        GatewayException e = UpstreamErrors.from(429, fixture("anthropic/error-429-rate-limit.json"),
                Map.of("retry-after", "30"), null);

        assertThat(e.headers()).containsEntry("Retry-After", "30");
    }

    @ParameterizedTest(name = "HTTP {0}")
    @CsvSource({"429", "503"})
    void defaultsRetryAfterToOneSecondWhenTheUpstreamGaveNone(int status) {
        GatewayException e = UpstreamErrors.from(status, new byte[0], Map.of(), null);

        assertThat(e.headers()).containsEntry("Retry-After", "1");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void keepsRetryAfterOnAnOverloadedBackend() {
        GatewayException e = UpstreamErrors.from(503, utf8("{\"error\":\"unhealthy\",\"error_type\":\"healthcheck\"}"),
                Map.of("retry-after", "120"), null);

        assertThat(e.headers()).containsEntry("Retry-After", "120");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|', value = {"Wed, 21 Oct 2026 07:28:00 GMT", "-1", "1e3", "9999999", "5; drop table"})
    void dropsARetryAfterThatIsNotASmallNumberOfSeconds(String value) {
        GatewayException e = UpstreamErrors.from(429, new byte[0], Map.of("retry-after", value), null);

        assertThat(e.headers()).containsEntry("Retry-After", "1");
    }

    @Test
    void noRetryAfterOnAClientError() {
        GatewayException e = UpstreamErrors.from(400, fixture("openai/chat-error-400-empty-messages.json"), Map.of(),
                null);

        assertThat(e.headers()).doesNotContainKey("Retry-After");
        assertThat(e.retryable()).isFalse();
    }

    // --- secrets and size ---

    private static final String SECRET = "sk-canary-QWERTY987654";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "openai shape | 400 | {\"error\":{\"message\":\"GET http://10.0.0.5/v1?key=" + SECRET + " failed; key "
                    + SECRET + " rejected\",\"type\":\"invalid_request_error\"}}",
            "tgi shape    | 422 | {\"error\":\"bad header Authorization: Bearer " + SECRET + "\",\"error_type\":\"validation\"}",
            "flat shape   | 500 | {\"object\":\"error\",\"message\":\"upstream " + SECRET + "\",\"code\":500}",
            "plain text   | 502 | proxy could not reach http://backend/?api_key=" + SECRET,
            "detail list  | 422 | {\"detail\":[{\"loc\":[\"header\"],\"msg\":\"bad key " + SECRET + "\"}]}",
            "under 200    | 200 | {\"object\":\"error\",\"message\":\"echo " + SECRET + "\"}",
    })
    void scrubsTheBackendSecretFromEveryMessage(String shape, int status, String body) {
        GatewayException e = UpstreamErrors.from(status, utf8(body), Map.of(), SECRET);

        assertThat(e.getMessage()).doesNotContain(SECRET).contains("[redacted]");
    }

    @Test
    void scrubsTheSecretBeforeTruncatingSoNoPrefixOfItSurvivesTheCut() {
        String message = "x".repeat(1020) + SECRET + " tail";
        byte[] body = utf8("{\"error\":{\"message\":\"" + message + "\"}}");

        GatewayException e = UpstreamErrors.from(400, body, Map.of(), SECRET);

        assertThat(e.getMessage()).doesNotContain(SECRET.substring(0, 4)).startsWith("x".repeat(1020));
    }

    @Test
    void truncatesLongMessagesToAboutOneKilobyte() {
        String message = "y".repeat(5000);
        GatewayException e = UpstreamErrors.from(400, utf8("{\"error\":\"" + message + "\"}"), Map.of(), null);

        assertThat(e.getMessage()).hasSize(1025).startsWith("y".repeat(1024)).endsWith("…");
    }

    @Test
    void truncatesLongPlainTextBodiesToo() {
        GatewayException e = UpstreamErrors.from(502, utf8("z".repeat(100_000)), Map.of(), null);

        assertThat(e.getMessage()).hasSizeLessThanOrEqualTo(1025);
    }

    // --- errors inside a 2xx body or a stream chunk ---

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{\"error\":{\"message\":\"x\"}}                                   | true",
            "{\"error\":\"x\",\"error_type\":\"generation\"}                   | true",
            "{\"object\":\"error\",\"message\":\"x\"}                          | true",
            "{\"error\":null,\"choices\":[]}                                   | false",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[]} | false",
            // the OpenAI SDKs raise on any truthy "error" (a fuzz finding: forwarded, the stream went on after it)
            "{\"error\":42}                                                    | true",
            "{\"error\":[]}                                                    | false",
            "{\"error\":false}                                                 | false",
            "[{\"error\":\"x\"}]                                               | false",
            // names and values may be written with escapes: the byte pre-check must not miss them
            "{\"\\u0065rror\":{\"message\":\"x\"}}                             | true",
            "{\"object\":\"\\u0065rror\",\"message\":\"x\"}                    | true",
            "{\"choices\":[{\"message\":{\"content\":\"an \\\"error\\\" word\"}}]}        | false",
    })
    void detectsAnErrorPayloadInAnyShape(String json, boolean isError) throws Exception {
        assertThat(UpstreamErrors.isErrorPayload(Json.parse(json.strip()))).isEqualTo(isError);
        assertThat(UpstreamErrors.isErrorPayload(utf8(json.strip()))).as("on the bytes").isEqualTo(isError);
    }

    @Test
    void isErrorPayloadIsFalseForNull() {
        assertThat(UpstreamErrors.isErrorPayload((com.fasterxml.jackson.databind.JsonNode) null)).isFalse();
        assertThat(UpstreamErrors.isErrorPayload((byte[]) null)).isFalse();
    }

    /** The byte pre-check against the parse on every recorded JSON body, answers and errors alike. */
    @Test
    void theBytePrecheckAgreesWithTheParseOnEveryRecordedBody() throws Exception {
        java.nio.file.Path root = java.nio.file.Path.of("src/test/resources/fixtures");
        int bodies = 0;
        int errors = 0;
        try (Stream<java.nio.file.Path> files = java.nio.file.Files.walk(root)) {
            for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                byte[] body = java.nio.file.Files.readAllBytes(f);
                boolean parsed = UpstreamErrors.isErrorPayload(Json.tryParse(body));
                assertThat(UpstreamErrors.isErrorPayload(body)).as(f.toString()).isEqualTo(parsed);
                bodies++;
                errors += parsed ? 1 : 0;
            }
        }
        assertThat(bodies).as("recorded bodies").isGreaterThan(20);
        assertThat(errors).as("recorded error bodies among them").isPositive();
    }
}
