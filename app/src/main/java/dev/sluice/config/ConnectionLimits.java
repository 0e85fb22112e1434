package dev.sluice.config;

import java.time.Duration;

/**
 * What one client connection may hold and for how long (docs/SECURITY.md items 4 and 5, reliability.md G10 and
 * G2b). Every wait a client controls has its own limit, so partial heads, trickled bodies, idle keep-alive
 * connections and clients that stop reading give their connection back instead of holding it for tens of minutes.
 *
 * @param headerReadTimeout HEADER_READ_TIMEOUT_S: from the first byte of a request head to its end
 * @param bodyReadTimeout BODY_READ_TIMEOUT_S: from the end of a request head to the end of its body
 * @param idleTimeout CLIENT_IDLE_TIMEOUT_S: a keep-alive connection with no request in progress and no response
 *     being written; a stream that writes keep-alives or a request waiting for its backend is never idle
 * @param writeTimeout CLIENT_WRITE_TIMEOUT_S: bytes waiting for the client with none of them taken
 * @param maxConnections MAX_CONNECTIONS: open client connections in this process; the next one is closed at once
 * @param maxHeaders MAX_HEADERS: header lines in one request head; more get 431
 */
public record ConnectionLimits(Duration headerReadTimeout, Duration bodyReadTimeout, Duration idleTimeout,
        Duration writeTimeout, int maxConnections, int maxHeaders) {
    /** Slowloris defences elsewhere (Envoy, G10) close an incomplete head at 10 s; no real client needs longer. */
    public static final Duration DEFAULT_HEADER_READ_TIMEOUT = Duration.ofSeconds(10);
    /** A 10 MiB body (MAX_REQUEST_BYTES) still arrives at 175 KB/s; a trickled body is dropped within a minute. */
    public static final Duration DEFAULT_BODY_READ_TIMEOUT = Duration.ofSeconds(60);
    /** Longer than every client pool's own idle expiry (httpx 5 s, OkHttp 5 min is the exception), like nginx. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** A client that takes nothing for 30 s has gone or hung; its backend stops generating for nobody. */
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);
    /** G10's cap: far above any one gateway's real load, far below what exhausts memory or descriptors. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** Envoy's limit (G11): real clients send 10 to 30 headers. */
    public static final int DEFAULT_MAX_HEADERS = 100;

    public static ConnectionLimits defaults() {
        return new ConnectionLimits(DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_BODY_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_WRITE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HEADERS);
    }

    /** The shortest of the timeouts: how often a connection's clock must look at itself to keep each one. */
    public Duration shortest() {
        Duration d = headerReadTimeout;
        for (Duration o : new Duration[] {bodyReadTimeout, idleTimeout, writeTimeout}) {
            if (o.compareTo(d) < 0) {
                d = o;
            }
        }
        return d;
    }
}
