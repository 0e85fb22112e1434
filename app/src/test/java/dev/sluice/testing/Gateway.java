package dev.sluice.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The real gateway, started in-process on a random loopback port and configured exactly as a deployment
 * is: with environment-style variables ({@code BACKEND_BASE_URL} is read as property
 * {@code backend.base.url}).
 */
public final class Gateway implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final EmbeddedServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<OpenAIClient> sdkClients = new ArrayList<>();

    private Gateway(EmbeddedServer server) {
        this.server = server;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A gateway in front of {@code fake}, with extra variables given as name/value pairs. */
    public static Gateway in(FakeRuntime fake, Object... env) {
        Builder b = builder().backend(fake);
        for (int i = 0; i < env.length; i += 2) {
            b.env((String) env[i], env[i + 1]);
        }
        return b.start();
    }

    public static final class Builder {
        private final Map<String, Object> props = new HashMap<>();
        private final List<Object> singletons = new ArrayList<>();

        private Builder() {
            props.put("micronaut.server.port", -1);
            props.put("micronaut.server.host", "127.0.0.1");
        }

        /** BACKEND_KIND and BACKEND_BASE_URL for the fake. */
        public Builder backend(FakeRuntime fake) {
            env("BACKEND_KIND", fake.kind());
            return env("BACKEND_BASE_URL", fake.baseUrl());
        }

        /**
         * An environment variable as the gateway reads it, e.g. {@code env("API_KEYS", "k1,k2")}: as the property
         * the gateway's config loader reads ({@code api.keys}) and under its own name too, which is what
         * {@code ${MAX_REQUEST_BYTES:...}} placeholders in application.yml resolve against.
         */
        public Builder env(String name, Object value) {
            props.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
            props.put(name, value);
            return this;
        }

        /** A Micronaut property as it is, e.g. {@code micronaut.server.netty.child-options.SO_SNDBUF}. */
        public Builder property(String name, Object value) {
            props.put(name, value);
            return this;
        }

        /** A bean for the gateway's context, e.g. a {@link TestClock}, which the rate-limit windows then read. */
        public Builder singleton(Object bean) {
            singletons.add(bean);
            return this;
        }

        public Gateway start() {
            if (singletons.isEmpty()) {
                return new Gateway(ApplicationContext.run(EmbeddedServer.class, props));
            }
            return new Gateway(ApplicationContext.builder().properties(props).singletons(singletons.toArray())
                    .run(EmbeddedServer.class));
        }
    }

    public int port() {
        return server.getPort();
    }

    /** e.g. {@code http://127.0.0.1:40123} */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public <T> T bean(Class<T> type) {
        return server.getApplicationContext().getBean(type);
    }

    /** The official openai-java SDK (OkHttp transport) pointed at this gateway, without retries. */
    public OpenAIClient openAi(String apiKey) {
        OpenAIClient c = OpenAIOkHttpClient.builder()
                .baseUrl(url() + "/v1")
                .apiKey(apiKey)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(15))
                .build();
        sdkClients.add(c);
        return c;
    }

    // --- plain HTTP (java.net.http) ---

    public HttpResponse<String> get(String path, String... headers) {
        return send(request(path, headers).GET().build());
    }

    public HttpResponse<String> post(String path, String body, String... headers) {
        return send(request(path, headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public HttpResponse<String> post(String path, byte[] body, String... headers) {
        return send(request(path, headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    public HttpResponse<String> delete(String path, String... headers) {
        return send(request(path, headers).DELETE().build());
    }

    public HttpResponse<String> options(String path, String... headers) {
        return send(request(path, headers).method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(15));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    public static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    @Override
    public void close() {
        sdkClients.forEach(OpenAIClient::close);
        server.getApplicationContext().close();
    }
}
