package dev.sluice.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.endpoint.RequestBodies;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.keys.KeyAdmin;
import dev.sluice.observability.RequestRecord;
import dev.sluice.protocol.Json;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.io.buffer.ByteBuffer;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The key admin API (docs/KEYS-AND-BUDGETS.md): client keys created, listed, rotated and revoked at run time, by the
 * master key only. {@link AuthFilter} has already refused a missing or unknown key (401); here any other key is
 * refused with 403. Bodies are read through the same caps as the API's.
 */
@Controller
@Tag(name = "Key admin", description = "Client keys managed at run time; master key only")
public final class AdminKeysController {
    private final KeyAdmin admin;
    private final RequestBodies bodies;

    AdminKeysController(KeyAdmin admin, RequestBodies bodies) {
        this.admin = admin;
        this.bodies = bodies;
    }

    /** The create request, for the OpenAPI document (the body is read as JSON and checked field by field). */
    @Schema(name = "CreateKeyRequest")
    record CreateKey(
            @Schema(description = "unique name; logs and metrics show it", example = "team-a",
                    requiredMode = Schema.RequiredMode.REQUIRED) String name,
            @Schema(description = "aliases (globs with *) the key may use; empty or absent: all") java.util.List<String> models,
            @Schema(description = "requests per minute") Integer rpm,
            @Schema(description = "tokens per minute") Integer tpm,
            @Schema(description = "ISO 8601 expiry, e.g. 2026-12-31T18:00:00Z") String expires_at,
            @Schema(description = "lifetime in seconds; instead of expires_at") Long ttl_seconds,
            @Schema(description = "the turn of its requests while they wait for a deployment at its max_concurrency:"
                    + " higher first, fair turns between keys of one priority; absent is 0") Integer priority,
            @Schema(description = "free-form JSON object, at most 4096 bytes") Map<String, Object> metadata,
            @Schema(description = "US dollars the key may spend per UTC day and month, e.g. {\"daily\": 5,"
                    + " \"monthly\": 100}; at least one") Budget budget) {}

    @Schema(name = "KeyBudget")
    record Budget(@Schema(description = "US dollars per UTC day") java.math.BigDecimal daily,
            @Schema(description = "US dollars per UTC month") java.math.BigDecimal monthly) {}

    @Schema(name = "RotateKeyRequest")
    record RotateKey(@Schema(description = "how long the old secret keeps working; default 86400 (24 h)")
            Long grace_seconds) {}

    @Operation(summary = "Create a client key", description = "The answer's 'secret' is shown this once; the"
            + " gateway keeps only its SHA-256.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(schema = @Schema(implementation = CreateKey.class))),
            responses = {@ApiResponse(responseCode = "201", description = "created; the body holds the secret"),
                @ApiResponse(responseCode = "400", description = "a field is wrong"),
                @ApiResponse(responseCode = "401", description = "no key, or an unknown one"),
                @ApiResponse(responseCode = "403", description = "not the master key"),
                @ApiResponse(responseCode = "409", description = "the name is taken")})
    @Post(uri = "/admin/keys", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> create(HttpRequest<?> request,
            @Body @Nullable @Schema(hidden = true) ByteBuffer<?> body) {
        Parsed json = parse(request, body, true);
        return call(request, "create", null, HttpStatus.CREATED, () -> admin.create(json.orThrow(),
                requestId(request)));
    }

    @Operation(summary = "List the admin-created keys", description = "Never shows a secret or its digest.")
    @Get(uri = "/admin/keys", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> list(HttpRequest<?> request) {
        return call(request, "list", null, HttpStatus.OK, () -> admin.list(requestId(request)));
    }

    @Operation(summary = "Show one admin-created key", responses = {
        @ApiResponse(responseCode = "200", description = "the key, without its secret"),
        @ApiResponse(responseCode = "404", description = "no such key")})
    @Get(uri = "/admin/keys/{name}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> show(HttpRequest<?> request, @PathVariable String name) {
        return call(request, "show", name, HttpStatus.OK, () -> admin.get(name, requestId(request)));
    }

    @Operation(summary = "Revoke a key", description = "Its secrets stop working on this replica at once and on"
            + " the others within a second.", responses = {
                @ApiResponse(responseCode = "200", description = "revoked"),
                @ApiResponse(responseCode = "404", description = "no such key")})
    @Delete(uri = "/admin/keys/{name}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> revoke(HttpRequest<?> request, @PathVariable String name) {
        return call(request, "revoke", name, HttpStatus.OK, () -> admin.revoke(name, requestId(request)));
    }

    @Operation(summary = "Rotate a key's secret", description = "The answer's 'secret' is the new one, shown this"
            + " once; the old one keeps working for grace_seconds (default 24 h).",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = false,
                    content = @Content(schema = @Schema(implementation = RotateKey.class))),
            responses = {@ApiResponse(responseCode = "200", description = "rotated; the body holds the new secret"),
                @ApiResponse(responseCode = "404", description = "no such key")})
    @Post(uri = "/admin/keys/{name}/rotate", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> rotate(HttpRequest<?> request, @PathVariable String name,
            @Body @Nullable @Schema(hidden = true) ByteBuffer<?> body) {
        Parsed json = parse(request, body, false);
        return call(request, "rotate", name, HttpStatus.OK, () -> admin.rotate(name, json.orThrow(),
                requestId(request)));
    }

    private CompletableFuture<MutableHttpResponse<?>> call(HttpRequest<?> request, String action, String name,
            HttpStatus ok, Supplier<CompletableFuture<ObjectNode>> work) {
        String presented = ApiKeyAuthenticator.presentedKey(request.getHeaders().get("x-api-key"),
                request.getHeaders().get("Authorization"));
        if (!admin.isMaster(presented)) {
            GatewayException e = !admin.hasMasterKey() ? GatewayException.of(ErrorKind.PERMISSION, "the admin API"
                    + " is off: no master key is configured (set SLUICE_MASTER_KEY, or general_settings.master_key in the"
                    + " config file)")
                    : presented == null ? GatewayException.of(ErrorKind.AUTHENTICATION, "the admin API needs the"
                            + " master key: send it as 'Authorization: Bearer <master key>'")
                    : GatewayException.of(ErrorKind.PERMISSION, "only the master key may use the admin API");
            RequestRecord record = Attributes.record(request);
            String who = record != null && record.principal() != null ? "key '" + record.principal() + "'"
                    : "no key";
            KeyAdmin.refused(action, name, who, requestId(request), e.status());
            return Replies.fail(request, e);
        }
        try {
            return work.get().<MutableHttpResponse<?>>thenApply(o -> HttpResponse.status(ok).body(Json.bytes(o))
                    .contentType(MediaType.APPLICATION_JSON_TYPE)).exceptionally(e -> ErrorResponses
                    .ofThrowable(request, e));
        } catch (GatewayException e) {
            // the body could not be read: refused before the key store was asked
            KeyAdmin.refused(action, name, "master", requestId(request), e.status());
            return Replies.fail(request, e);
        }
    }

    /**
     * The audit line of an admin call {@link AuthFilter} refused (no key, an unknown or expired one, a throttled
     * address) before it got here; nothing for other paths.
     */
    static void auditRefused(HttpRequest<?> request, String who, int status) {
        String path = request.getPath();
        if (!path.equals("/admin/keys") && !path.startsWith("/admin/keys/")) {
            return;
        }
        String[] parts = path.substring(1).split("/", -1); // admin, keys[, name[, rotate]]
        String method = request.getMethodName();
        String action = switch (parts.length) {
            case 2 -> method.equals("POST") ? "create" : method.equals("GET") ? "list" : "other";
            case 3 -> method.equals("GET") ? "show" : method.equals("DELETE") ? "revoke" : "other";
            case 4 -> method.equals("POST") && parts[3].equals("rotate") ? "rotate" : "other";
            default -> "other";
        };
        KeyAdmin.refused(action, parts.length > 2 ? parts[2] : null, who, requestId(request), status);
    }

    /** A body as read, or why it could not be: the master check comes first, so a stranger learns nothing of it. */
    private record Parsed(JsonNode json, GatewayException problem) {
        JsonNode orThrow() {
            if (problem != null) {
                throw problem;
            }
            return json;
        }
    }

    /** Read before the master check, so the body's buffer is released on every path. */
    private Parsed parse(HttpRequest<?> request, ByteBuffer<?> body, boolean required) {
        try {
            return new Parsed(json(request, body, required), null);
        } catch (GatewayException e) {
            return new Parsed(null, e);
        }
    }

    private JsonNode json(HttpRequest<?> request, ByteBuffer<?> body, boolean required) {
        byte[] bytes = BodyBytes.of(request, body, bodies);
        if (bytes == null || bytes.length == 0) {
            if (required) {
                throw GatewayException.invalid("the body must be a JSON object, e.g. {\"name\": \"team-a\"}", null);
            }
            return null;
        }
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (java.io.IOException e) {
            throw GatewayException.invalid("the body is not valid JSON", null);
        }
    }

    private static String requestId(HttpRequest<?> request) {
        RequestRecord record = Attributes.record(request);
        return record == null ? null : record.requestId();
    }
}
