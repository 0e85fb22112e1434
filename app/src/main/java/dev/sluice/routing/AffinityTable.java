package dev.sluice.routing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which deployment each conversation lives on, for prefix affinity: a bounded, least-recently-used map from the
 * conversation's key to a deployment, with a count of conversations per deployment. A new conversation is homed
 * where there is most room (see {@link Pool}); hashing 32 conversations onto 4 deployments instead gives the
 * busiest 11 on average where an even spread gives 8, and that deployment's queue sets the fleet's tail latency.
 * Not thread-safe: the pool's lock guards it.
 */
final class AffinityTable {
    /** Default capacity: far more conversations than a fleet's KV caches hold, at about 100 bytes each. */
    static final int DEFAULT_CAPACITY = 65_536;

    private final int[] homes;
    private final Map<String, Integer> table;

    AffinityTable(int deployments, int capacity) {
        this.homes = new int[deployments];
        this.table = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
                if (size() > capacity) {
                    homes[eldest.getValue()]--;
                    return true;
                }
                return false;
            }
        };
    }

    /** The index of the conversation's deployment, or -1 when it has none yet. */
    int home(String key) {
        Integer at = table.get(key);
        return at == null ? -1 : at;
    }

    /** Homes the conversation on a deployment (again, when it spilled from its old one). */
    void move(String key, int deployment) {
        Integer was = table.put(key, deployment);
        if (was != null) {
            homes[was]--;
        }
        homes[deployment]++;
    }

    /** How many conversations live on the deployment. */
    int conversations(int deployment) {
        return homes[deployment];
    }

    /**
     * Every conversation of {@code old} whose deployment {@code where} still finds (its index here, or -1), oldest
     * first so that the recency order survives.
     */
    void adopt(AffinityTable old, java.util.function.IntUnaryOperator where) {
        for (Map.Entry<String, Integer> e : old.table.entrySet()) {
            int at = where.applyAsInt(e.getValue());
            if (at >= 0) {
                move(e.getKey(), at);
            }
        }
    }

    int size() {
        return table.size();
    }
}
