package dev.sluice.ratelimit;

import dev.sluice.protocol.ClientDialect;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.config.Deployment;
import dev.sluice.config.FileConfig;
import dev.sluice.config.GatewayConfig;
import dev.sluice.config.NamedKey;
import dev.sluice.config.RequestCaps;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.GatewayMetrics;
import dev.sluice.observability.RequestRecord;
import dev.sluice.ratelimit.RequestLimits.Admission;
import dev.sluice.ratelimit.RequestLimits.Kind;
import dev.sluice.ratelimit.RequestLimits.Limit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The caller's request limit for every request ({@link #checkCaller}); between routing and dispatch, a named
 * key's allowed models (403), then tokens per minute per key and requests and tokens per minute per model alias
 * (429 with Retry-After and rate-limit headers in the caller's dialect). Token reservations are settled from the
 * record's usage when the response (or stream) ends. No HTTP types: the caller says how a
 * refusal becomes its response and how headers are added to one.
 */
public final class LimitGate {
    /** Tokens reserved for the reply when the request names no max_tokens. */
    static final long DEFAULT_OUTPUT_RESERVATION = 256;

    private final RequestLimits limits;
    private final ApiKeyAuthenticator authenticator;
    private final GatewayMetrics metrics;
    private final Integer defaultRpm;
    private final long defaultBurst;
    /** The config file's per-alias limits; a config reload swaps them in one write ({@link #reload}). */
    private volatile AliasLimits aliasLimits;

    /** Requests and tokens per minute per alias: the sum of its deployments' rpm / tpm, absent when none has one. */
    private record AliasLimits(Map<String, Long> rpm, Map<String, Long> tpm) {
        static AliasLimits of(FileConfig file) {
            Map<String, Long> rpm = new HashMap<>();
            Map<String, Long> tpm = new HashMap<>();
            for (var pool : file.pools().entrySet()) {
                long r = 0;
                long t = 0;
                for (Deployment d : pool.getValue()) {
                    r += d.rpm() == null ? 0 : d.rpm();
                    t += d.tpm() == null ? 0 : d.tpm();
                }
                if (r > 0) {
                    rpm.put(pool.getKey(), r);
                }
                if (t > 0) {
                    tpm.put(pool.getKey(), t);
                }
            }
            return new AliasLimits(Map.copyOf(rpm), Map.copyOf(tpm));
        }
    }

    public LimitGate(RequestLimits limits, ApiKeyAuthenticator authenticator, GatewayMetrics metrics, GatewayConfig config,
            FileConfig file) {
        this.limits = limits;
        this.authenticator = authenticator;
        this.metrics = metrics;
        this.defaultRpm = config.rateLimitEnabled() ? config.rateLimitRpm() : null;
        this.defaultBurst = config.rateLimitBurst();
        this.aliasLimits = AliasLimits.of(file);
    }

    /**
     * Applies a reloaded config file's per-alias limits to the requests admitted from now on. The counts so far
     * stay: a limit that changes applies to the current minute's count.
     */
    public void reload(FileConfig file) {
        this.aliasLimits = AliasLimits.of(file);
    }

    /** A caller's request limit decided: {@code refusal} null when admitted, with the headers to add then. */
    public record CallerDecision(GatewayException refusal, Map<String, String> headers) {}

    /**
     * The caller's request limit, checked for every /v1 request whatever it costs the backends (listing models and
     * counting tokens included), with Redis or without: a named key's own rpm (its whole minute usable at once), else
     * RATE_LIMIT_RPM with RATE_LIMIT_BURST when RATE_LIMIT_ENABLED, per key, or per client address without auth.
     * Null when no request limit applies to the caller.
     */
    public CompletableFuture<CallerDecision> checkCaller(String principal, String address, ClientDialect dialect) {
        NamedKey key = authenticator.named(principal);
        Limit limit;
        if (principal != null && key != null && key.rpm() != null) {
            limit = new Limit("key:" + principal, Kind.REQUESTS, key.rpm());
        } else if (defaultRpm != null) {
            limit = new Limit(principal != null ? "key:" + principal : "ip:" + address, Kind.REQUESTS, defaultRpm,
                    defaultBurst);
        } else {
            return null;
        }
        return limits.admit(List.of(limit), 0).thenApply(a -> a.allowed()
                ? new CallerDecision(null, headers(dialect, a)) : new CallerDecision(refusal(dialect, a), Map.of()));
    }

    /**
     * What the gate needs of the caller's transport: its dialect (for the rate-limit headers), the executor to
     * continue on (the client connection's event loop), how an error becomes a response, and how headers are
     * added to a response.
     */
    public interface Caller<R> {
        ClientDialect dialect();

        Executor loop();

        /**
         * The named key the caller authenticated with, as it was configured when the request started; null to look
         * the principal up in the keys in force now. A config reload between authentication and this gate must not
         * drop the key's model list and limits for a request it authenticated.
         */
        default NamedKey key() {
            return null;
        }

        R refuse(GatewayException e);

        R withHeaders(R response, Map<String, String> headers);
    }

    /**
     * Checks the request and runs {@code dispatch} when it is admitted; otherwise runs {@code release} (the route
     * is not used) and answers 403, 429 or 503.
     */
    public <R> CompletableFuture<R> admit(Caller<R> caller, RequestRecord record, String alias, Runnable release,
            JsonNode json, int bodyLength, Supplier<CompletableFuture<R>> dispatch) {
        String principal = record == null ? null : record.principal();
        NamedKey key = caller.key() != null ? caller.key() : authenticator.named(principal);
        if (key != null && !key.allows(alias)) {
            release.run();
            return CompletableFuture.completedFuture(caller.refuse(new GatewayException(
                    ErrorKind.PERMISSION, 403, "API key '" + key.name() + "' may not use model '" + alias + "'",
                    "model", "model_not_allowed", Map.of())));
        }
        // the caller's request limit was checked for every request by checkCaller (RateLimitFilter)
        List<Limit> checks = new ArrayList<>();
        if (key != null && key.tpm() != null) {
            checks.add(new Limit("key:" + principal, Kind.TOKENS, key.tpm()));
        }
        AliasLimits perAlias = aliasLimits;
        if (perAlias.rpm().containsKey(alias)) {
            checks.add(new Limit("model:" + alias, Kind.REQUESTS, perAlias.rpm().get(alias)));
        }
        if (perAlias.tpm().containsKey(alias)) {
            checks.add(new Limit("model:" + alias, Kind.TOKENS, perAlias.tpm().get(alias)));
        }
        if (checks.isEmpty()) {
            return dispatch.get();
        }
        long reserve = reservation(json, bodyLength);
        return limits.admit(checks, reserve).thenComposeAsync(a -> {
            if (!a.allowed()) {
                release.run();
                return CompletableFuture.completedFuture(caller.refuse(refusal(caller.dialect(), a)));
            }
            if (record != null) {
                record.onEnd(() -> limits.settle(a, used(record)));
            }
            return dispatch.get().thenApply(r -> caller.withHeaders(r, headers(caller.dialect(), a)));
        }, caller.loop());
    }

    /**
     * What a request may use: an estimate of its input (bytes / 4) plus its output cap, or 256 without one. The
     * parser has already refused token fields that are not whole numbers within MAX_OUTPUT_TOKENS; the clamp keeps
     * the sum exact even for a caller that skipped it, because it becomes a Redis argument.
     */
    static long reservation(JsonNode json, int bodyLength) {
        long out = DEFAULT_OUTPUT_RESERVATION;
        for (String f : List.of("max_completion_tokens", "max_tokens", "max_output_tokens")) {
            JsonNode n = json == null ? null : json.get(f);
            if (n != null && n.isIntegralNumber() && n.canConvertToLong() && n.asLong() > 0) {
                out = Math.min(n.asLong(), RequestCaps.MAX_OUTPUT_TOKENS_CEILING);
                break;
            }
        }
        return Math.max(0, bodyLength) / 4 + out;
    }

    /** The tokens the request really used; 0 for a failure without usage; -1 (keep the reservation) if unknown. */
    private static long used(RequestRecord r) {
        if (r.tokensIn() >= 0) {
            return r.tokensIn() + Math.max(0, r.tokensOut());
        }
        return r.status() >= 400 ? 0 : -1;
    }

    private GatewayException refusal(ClientDialect dialect, Admission a) {
        if (a.unavailable()) {
            return new GatewayException(ErrorKind.OVERLOADED, 503,
                    "rate limiter unavailable (Redis unreachable, REDIS_FAILURE_MODE=closed); retry shortly", null,
                    null, Map.of("Retry-After", "1"));
        }
        metrics.rateLimited();
        Limit l = a.deniedBy();
        String what = l.kind() == Kind.REQUESTS ? "requests" : "tokens";
        String scope = l.scope().startsWith("key:") ? "API key '" + l.scope().substring(4) + "'"
                : l.scope().startsWith("ip:") ? "this client" : "model '" + l.scope().substring(6) + "'";
        GatewayException e = GatewayException.of(ErrorKind.RATE_LIMITED, "rate limit exceeded: " + l.perMinute()
                + " " + what + " per minute for " + scope + (l.kind() == Kind.TOKENS ? " (this request reserves "
                + a.reservedTokens() + ")" : "") + "; retry after " + a.retryAfterSeconds() + " s");
        e = e.withHeader("Retry-After", Long.toString(a.retryAfterSeconds()));
        for (var h : headers(dialect, a).entrySet()) {
            e = e.withHeader(h.getKey(), h.getValue());
        }
        return e;
    }

    /** The tightest request and token limits, in the caller's dialect. */
    static Map<String, String> headers(ClientDialect dialect, Admission a) {
        Map<String, String> out = new HashMap<>();
        boolean anthropic = dialect == ClientDialect.ANTHROPIC;
        String reset = Instant.now().plusMillis(a.resetMillis()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString();
        for (Kind kind : Kind.values()) {
            int best = -1;
            for (int i = 0; i < a.limits().size(); i++) {
                if (a.limits().get(i).kind() == kind && (best < 0 || a.remaining()[i] < a.remaining()[best])) {
                    best = i;
                }
            }
            if (best < 0) {
                continue;
            }
            String limit = Long.toString(a.limits().get(best).perMinute());
            String remaining = Long.toString(a.remaining()[best]);
            String k = kind == Kind.REQUESTS ? "requests" : "tokens";
            if (anthropic) {
                out.put("anthropic-ratelimit-" + k + "-limit", limit);
                out.put("anthropic-ratelimit-" + k + "-remaining", remaining);
                out.put("anthropic-ratelimit-" + k + "-reset", reset);
            } else {
                out.put("x-ratelimit-limit-" + k, limit);
                out.put("x-ratelimit-remaining-" + k, remaining);
                out.put("x-ratelimit-reset-" + k, a.retryAfterSeconds() + "s");
            }
        }
        return out;
    }
}
