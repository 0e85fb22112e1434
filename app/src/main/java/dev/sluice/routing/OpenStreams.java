package dev.sluice.routing;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The streams a dispatcher is relaying right now, so a graceful drain can wait for them and end the ones left at its
 * deadline with an explicit error (reliability.md G20). A relay leaves the set when it ends, however it ends.
 */
public final class OpenStreams {
    private final Set<StreamRelay> open = ConcurrentHashMap.newKeySet();
    private final Set<CompletableFuture<Void>> idleWaiters = ConcurrentHashMap.newKeySet();

    void add(StreamRelay relay) {
        open.add(relay);
        relay.ended().whenComplete((clean, e) -> {
            open.remove(relay);
            if (open.isEmpty()) {
                idleWaiters.removeIf(w -> w.complete(null));
            }
        });
    }

    public int size() {
        return open.size();
    }

    /** Completes once no stream is open (at once when none is). */
    public CompletableFuture<Void> idle() {
        CompletableFuture<Void> w = new CompletableFuture<>();
        idleWaiters.add(w);
        if (open.isEmpty()) {
            idleWaiters.remove(w);
            w.complete(null);
        }
        return w;
    }

    /** Ends every open stream with its dialect's error event and closes its upstream; returns how many it ended. */
    public int shutDownAll() {
        List<StreamRelay> now = List.copyOf(open);
        now.forEach(StreamRelay::shutDown);
        return now.size();
    }
}
