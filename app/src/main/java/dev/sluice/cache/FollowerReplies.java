package dev.sluice.cache;

import io.micronaut.http.MutableHttpResponse;

/**
 * What the cache needs from the client's dialect to answer a request that waits on an identical one in flight
 * (a follower) by itself: its own timeout, and errors once its stream has begun. Made by the controller, which
 * knows the dialect; the cache knows none.
 */
public interface FollowerReplies {
    /** A follower that waited past its deadline before its {@code 200}: a timeout error response. */
    MutableHttpResponse<?> timeout(String message);

    /**
     * The event that ends a follower's stream with an error after its {@code 200} went out.
     *
     * @param timeout whether the follower's own deadline passed (else the shared call failed)
     */
    byte[] streamError(boolean timeout, String message);
}
