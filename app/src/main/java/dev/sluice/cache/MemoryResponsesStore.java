package dev.sluice.cache;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * In process: least recently used first out once the bytes held pass the bound, and nothing older than the TTL.
 * The bound is in bytes, not entries, because one agent turn can carry megabytes of history.
 */
public final class MemoryResponsesStore implements ResponsesStore {
    private record Entry(StoredResponse response, long expiresAtNanos) {}

    private final Duration ttl;
    private final long maxBytes;
    private final LongSupplier nanoClock;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    public MemoryResponsesStore(Duration ttl, long maxBytes) {
        this(ttl, maxBytes, System::nanoTime);
    }

    MemoryResponsesStore(Duration ttl, long maxBytes, LongSupplier nanoClock) {
        this.ttl = ttl;
        this.maxBytes = maxBytes;
        this.nanoClock = nanoClock;
    }

    @Override
    public synchronized CompletableFuture<StoredResponse> get(String id, String owner) {
        Entry e = entries.get(id);
        if (e != null && nanoClock.getAsLong() - e.expiresAtNanos() >= 0) {
            remove(id);
            e = null;
        }
        return CompletableFuture.completedFuture(e != null && e.response().owner().equals(owner) ? e.response()
                : null);
    }

    @Override
    public synchronized void put(StoredResponse response) {
        if (response.size() > maxBytes) {
            return; // larger than the whole store: keeping it would evict everything else
        }
        remove(response.id());
        entries.put(response.id(), new Entry(response, nanoClock.getAsLong() + ttl.toNanos()));
        bytes += response.size();
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            bytes -= it.next().getValue().response().size();
            it.remove();
        }
    }

    @Override
    public synchronized CompletableFuture<Boolean> delete(String id, String owner) {
        Entry e = entries.get(id);
        boolean mine = e != null && e.response().owner().equals(owner);
        if (mine) {
            remove(id);
        }
        return CompletableFuture.completedFuture(mine);
    }

    /** Bytes held now (for tests and the bound). */
    synchronized long bytes() {
        return bytes;
    }

    private void remove(String id) {
        Entry old = entries.remove(id);
        if (old != null) {
            bytes -= old.response().size();
        }
    }
}
