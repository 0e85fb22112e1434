package dev.sluice.routing;

import java.util.List;
import java.util.Set;

/**
 * The deployments serving one alias. Weighted round-robin by default (smooth, so weights 3:1 give
 * a a b a rather than a a a b), or least requests in flight. Ejected deployments are skipped, but a pool
 * never ejects everything: with all ejected, the one whose cooldown ends first is used.
 */
public final class Pool {
    /** How a deployment is chosen. */
    public enum Strategy { WEIGHTED, LEAST_IN_FLIGHT }

    private final String alias;
    private final List<Upstream> upstreams;
    private final Strategy strategy;

    public Pool(String alias, List<Upstream> upstreams, Strategy strategy) {
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("pool " + alias + " has no deployments");
        }
        this.alias = alias;
        this.upstreams = List.copyOf(upstreams);
        this.strategy = strategy;
    }

    public String alias() {
        return alias;
    }

    public List<Upstream> upstreams() {
        return upstreams;
    }

    /** The next deployment, avoiding {@code tried} when any other is left; null when all were tried. */
    public synchronized Upstream pick(Set<Upstream> tried, long now) {
        // one reading of each deployment's health: Upstream.failed ejects under the deployment's lock, not this
        // one, and an ejection landing between two readings left no candidate at all
        boolean[] ejected = new boolean[upstreams.size()];
        boolean anyHealthy = false;
        for (int i = 0; i < upstreams.size(); i++) {
            ejected[i] = upstreams.get(i).ejected(now);
            anyHealthy |= !ejected[i] && !tried.contains(upstreams.get(i));
        }
        if (!anyHealthy) {
            Upstream soonest = null;
            for (Upstream u : upstreams) {
                if (!tried.contains(u) && (soonest == null || u.ejectedUntil() < soonest.ejectedUntil())) {
                    soonest = u;
                }
            }
            return soonest;
        }
        Upstream best = null;
        if (strategy == Strategy.LEAST_IN_FLIGHT) {
            for (int i = 0; i < upstreams.size(); i++) {
                Upstream u = upstreams.get(i);
                if (tried.contains(u) || ejected[i]) {
                    continue;
                }
                if (best == null || u.inFlight() * (long) best.weight() < best.inFlight() * (long) u.weight()) {
                    best = u;
                }
            }
            return best;
        }
        int total = 0;
        for (int i = 0; i < upstreams.size(); i++) {
            Upstream u = upstreams.get(i);
            if (tried.contains(u) || ejected[i]) {
                continue;
            }
            u.currentWeight(u.currentWeight() + u.weight());
            total += u.weight();
            if (best == null || u.currentWeight() > best.currentWeight()) {
                best = u;
            }
        }
        best.currentWeight(best.currentWeight() - total);
        return best;
    }
}
