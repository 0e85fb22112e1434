package dev.sluice.http;

import java.util.Set;

/** The gateway's route templates: the only values a metric's {@code route} label can take. */
final class Routes {
    private static final Set<String> EXACT = Set.of("/", "/livez", "/readyz", "/health", "/metrics", "/docs",
            "/openapi.json", "/reference", "/v1/models", "/v1/chat/completions", "/v1/completions",
            "/v1/embeddings", "/v1/messages", "/v1/messages/count_tokens", "/v1/responses", "/v1/responses/compact");

    private Routes() {}

    static String template(String path) {
        if (EXACT.contains(path)) {
            return path;
        }
        if (path.startsWith("/v1/models/")) {
            return "/v1/models/{id}";
        }
        if (path.startsWith("/v1/responses/")) {
            return path.endsWith("/input_items") ? "/v1/responses/{id}/input_items" : "/v1/responses/{id}";
        }
        if (path.equals("/admin/keys")) {
            return path;
        }
        if (path.startsWith("/admin/keys/")) {
            return path.endsWith("/rotate") ? "/admin/keys/{name}/rotate" : "/admin/keys/{name}";
        }
        if (path.startsWith("/swagger-ui/")) {
            return "/swagger-ui/**";
        }
        return "unmatched";
    }

    /** Operational endpoints that never need an API key (probes, scrapes, docs). */
    static boolean isPublic(String path) {
        return path.equals("/") || path.equals("/livez") || path.equals("/readyz") || path.equals("/health")
                || path.equals("/metrics") || path.equals("/docs") || path.equals("/openapi.json")
                || path.equals("/reference") || path.startsWith("/swagger-ui/");
    }
}
