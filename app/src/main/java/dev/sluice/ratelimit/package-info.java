/**
 * The limits and their policy: GCRA token buckets for requests and tokens (in process or in Redis, with replica
 * discovery for the fallback share), the token cap,
 * and {@link dev.sluice.ratelimit.LimitGate}, which decides per request which limits apply (a named key's models,
 * rpm and tpm per key and per alias) with no HTTP types. May use: {@code config}, {@code protocol},
 * {@code error}, {@code auth} (named keys), {@code observability} (the request record, metrics).
 */
package dev.sluice.ratelimit;
