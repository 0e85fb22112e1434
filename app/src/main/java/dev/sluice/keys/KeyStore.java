package dev.sluice.keys;

import java.util.List;

/**
 * Where admin keys live. Calls block (a file write, a Redis round trip) and are made from the key admin's own thread,
 * never from an event loop.
 */
public interface KeyStore extends AutoCloseable {
    /** Every stored key. */
    List<AdminKey> all();

    /** Stores a new key; false when the name is taken (decided by the store, so two replicas cannot both win). */
    boolean create(AdminKey key);

    /** Replaces a stored key (a rotation); false when it no longer exists. */
    boolean replace(AdminKey key);

    /** Removes a key; false when there was none. */
    boolean delete(String name);

    /**
     * A value that changes whenever any replica changes the keys, checked often to pick up other replicas' changes;
     * a store that only this process writes returns a constant.
     */
    long version();

    /** Where the keys are, for the startup log (never a password). */
    String describe();

    @Override
    void close();
}
