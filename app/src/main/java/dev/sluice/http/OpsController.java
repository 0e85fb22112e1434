package dev.sluice.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.Version;
import dev.sluice.routing.RouterHealth;
import dev.sluice.config.GatewayConfig;
import dev.sluice.protocol.Json;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

/** Probes, metrics and the self-description of the service. */
@Controller
@Tag(name = "Operations")
public final class OpsController {
    private final GatewayConfig config;
    /** Holds the readiness of the deployments in force now, which a config reload replaces. */
    private final dev.sluice.ConfigReload reload;
    private final boolean authEnabled;
    private final PrometheusMeterRegistry prometheus;
    private final ApiDocs docs;
    private final Drain drain;

    OpsController(GatewayConfig config, dev.sluice.auth.ApiKeyAuthenticator authenticator, dev.sluice.ConfigReload reload,
            PrometheusMeterRegistry prometheus, ApiDocs docs, Drain drain) {
        this.drain = drain;
        this.config = config;
        this.reload = reload;
        this.authEnabled = authenticator.enabled();
        this.prometheus = prometheus;
        this.docs = docs;
    }

    @Operation(summary = "Service summary")
    @Get(uri = "/", produces = MediaType.APPLICATION_JSON)
    MutableHttpResponse<?> index() {
        ObjectNode o = Json.object();
        o.put("service", "sluice");
        o.put("version", Version.VERSION);
        o.put("description", "LLM gateway: OpenAI API in front of " + config.backendId());
        o.put("backend", config.backendId());
        if (config.hasModelName()) {
            o.put("model", config.modelName());
        }
        o.put("auth", authEnabled ? "api-key" : "off");
        var ep = o.putArray("endpoints");
        for (String e : new String[] {"POST /v1/chat/completions", "POST /v1/completions", "POST /v1/embeddings",
                "POST /v1/messages", "POST /v1/messages/count_tokens", "POST /v1/responses",
                "GET /v1/responses/{id}", "DELETE /v1/responses/{id}", "GET /v1/responses/{id}/input_items",
                "GET /v1/models", "GET /v1/models/{id}", "GET /livez", "GET /readyz", "GET /health", "GET /metrics",
                "GET /docs", "GET /openapi.json", "GET /reference", "POST /admin/keys", "GET /admin/keys",
                "GET /admin/keys/{name}", "DELETE /admin/keys/{name}", "POST /admin/keys/{name}/rotate",
                "GET /v1/usage"}) {
            ep.add(e);
        }
        return HttpResponse.ok(Json.bytes(o)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    @Operation(summary = "Liveness: 200 while the process is up")
    @Get(uri = "/livez", produces = MediaType.APPLICATION_JSON)
    MutableHttpResponse<?> livez() {
        return HttpResponse.ok("{\"status\":\"ok\"}".getBytes()).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    @Operation(summary = "Readiness: 200 when the backend answers its health check, else 503 (and 503 while draining)")
    @Get(uri = "/readyz", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> readyz() {
        if (drain.draining()) {
            // SIGTERM: the load balancer must stop sending new requests before the listener closes
            return CompletableFuture.completedFuture(HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .body("{\"status\":\"draining\"}".getBytes()).contentType(MediaType.APPLICATION_JSON_TYPE));
        }
        return reload.health().ready().thenApply(ok -> HttpResponse.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .body(("{\"status\":\"" + (ok ? "ready" : "backend unreachable") + "\"}").getBytes())
                .contentType(MediaType.APPLICATION_JSON_TYPE));
    }

    @Operation(summary = "Health details: gateway, backend kind and URL (no secrets), reachability, version")
    @Get(uri = "/health", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> health() {
        return reload.health().states().thenApply(states -> {
            boolean ok = states.stream().anyMatch(d -> d.reachable() && !d.ejected());
            ObjectNode o = Json.object();
            o.put("status", ok ? "ok" : "degraded");
            o.put("version", Version.VERSION);
            ObjectNode gw = o.putObject("gateway");
            gw.put("status", "up");
            gw.put("auth", authEnabled ? "api-key" : "off");
            gw.put("rate_limit", config.rateLimitEnabled() ? config.rateLimitRpm() + "/min" : "off");
            RouterHealth.DeploymentState first = states.get(0);
            ObjectNode b = o.putObject("backend");
            b.put("kind", first.kind());
            b.put("url", publicUrl(first.url()));
            b.put("reachable", first.reachable());
            if (first.probeMillis() >= 0) {
                b.put("probe_ms", first.probeMillis());
            }
            if (!first.alias().contains("*")) {
                b.put("model", first.alias());
            }
            var deployments = o.putArray("deployments");
            for (RouterHealth.DeploymentState d : states) {
                ObjectNode n = deployments.addObject();
                n.put("id", d.id());
                n.put("alias", d.alias());
                n.put("kind", d.kind());
                n.put("url", publicUrl(d.url()));
                n.put("reachable", d.reachable());
                n.put("ejected", d.ejected());
            }
            return HttpResponse.status(HttpStatus.OK).body(Json.bytes(o)).contentType(MediaType.APPLICATION_JSON_TYPE);
        });
    }

    /** Base URLs are validated to carry no credentials; strip any path parameters anyway. */
    private static String publicUrl(String location) {
        try {
            URI u = URI.create(location);
            return u.getHost() == null ? location
                    : new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
        } catch (Exception e) {
            return "unparseable";
        }
    }

    @Operation(summary = "Prometheus metrics")
    @Get(uri = "/metrics", produces = "text/plain")
    MutableHttpResponse<?> metrics() {
        if (!config.metricsEnabled()) {
            return HttpResponse.notFound("metrics are disabled (METRICS_ENABLED=false)\n".getBytes())
                    .contentType(MediaType.TEXT_PLAIN_TYPE);
        }
        return HttpResponse.ok(prometheus.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .contentType("text/plain; version=0.0.4; charset=utf-8");
    }

    @Hidden
    @Get(uri = "/openapi.json", produces = MediaType.APPLICATION_JSON)
    MutableHttpResponse<?> openapi() {
        JsonNode spec = docs.spec();
        return spec == null ? HttpResponse.notFound() : HttpResponse.ok(Json.bytes(spec))
                .contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    @Hidden
    @Get(uri = "/docs", produces = MediaType.TEXT_HTML)
    MutableHttpResponse<?> docs() {
        return HttpResponse.ok(docs.html().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .contentType(MediaType.TEXT_HTML_TYPE);
    }

    @Hidden
    @Get(uri = "/reference")
    MutableHttpResponse<?> reference() {
        return HttpResponse.redirect(URI.create("/swagger-ui/index.html"));
    }
}
