package dev.sluice.routing;

import java.time.Duration;

/**
 * Every wait has its own limit (reliability.md §0).
 *
 * @param firstByte until the first upstream event of a stream
 * @param idle between two upstream events of a stream
 * @param total the whole exchange, stream or not
 * @param keepAlive silence after which a stream gets a keep-alive (and a waiting stream its 200)
 */
public record Timeouts(Duration firstByte, Duration idle, Duration total, Duration keepAlive) {

    /** These timeouts with a deployment's own total limit, when it has one. */
    public Timeouts forUpstream(Upstream u) {
        Duration t = u.timeout();
        if (t == null) {
            return this;
        }
        return new Timeouts(firstByte.compareTo(t) < 0 ? firstByte : t, idle, t, keepAlive);
    }
}
