package dev.sluice.cache;

import java.util.concurrent.CompletableFuture;

/**
 * Stored Responses API responses ({@code store: true}, the API's default), so agents can continue with
 * {@code previous_response_id} and read a response back. Each is scoped to the key that created it: another key
 * gets "not found", never someone else's conversation. Lookups never fail: a store that cannot answer reports
 * "not found".
 */
public interface ResponsesStore {
    /** The response {@code id} as {@code owner} stored it, or null. */
    CompletableFuture<StoredResponse> get(String id, String owner);

    void put(StoredResponse response);

    /** Whether {@code owner}'s response {@code id} existed (and is now gone). */
    CompletableFuture<Boolean> delete(String id, String owner);
}
