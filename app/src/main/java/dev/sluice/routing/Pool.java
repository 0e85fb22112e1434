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
        Upstream best = null;
        int total = 0;
        boolean anyHealthy = false;
        for (Upstream u : upstreams) {
            if (!tried.contains(u) && !u.ejected(now)) {
                anyHealthy = true;
                break;
            }
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
        if (strategy == Strategy.LEAST_IN_FLIGHT) {
            for (Upstream u : upstreams) {
                if (tried.contains(u) || u.ejected(now)) {
                    continue;
                }
                if (best == null || u.inFlight() * (long) best.weight() < best.inFlight() * (long) u.weight()) {
                    best = u;
                }
            }
            return best;
        }
        for (Upstream u : upstreams) {
            if (tried.contains(u) || u.ejected(now)) {
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
