package dev.sluice.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The deployments serving one alias, and how one is chosen for a request (docs/ROUTING.md): smooth weighted
 * round-robin by default (weights 3:1 give a a b a rather than a a a b), least requests in flight, least loaded
 * (power of two choices on the runtimes' published load), or prefix affinity (a conversation keeps its
 * deployment, whose KV cache holds its prefix, unless that deployment is much busier than the others).
 * Ejected deployments are skipped, and a deployment on probation takes one probe per cooldown. With none left
 * the pool answers null: the caller fails fast rather than piling first attempts onto a deployment that is
 * known to fail (reliability.md G6).
 */
public final class Pool {
    /** How a deployment is chosen. */
    public enum Strategy { WEIGHTED, LEAST_IN_FLIGHT, LEAST_LOADED, PREFIX_AFFINITY }

    /** A full KV cache weighs as much as this many queued requests. */
    static final double CACHE_WEIGHT = 4;
    /** Default {@code affinity_spill}: how much busier than the least loaded the preferred deployment may be. */
    public static final double DEFAULT_SPILL = 4;

    private final String alias;
    private final List<Upstream> upstreams;
    private final Strategy strategy;
    private final double spill;
    private final long[] idHashes;
    private final Admission admission;
    private final AffinityTable homes;

    public Pool(String alias, List<Upstream> upstreams, Strategy strategy) {
        this(alias, upstreams, strategy, DEFAULT_SPILL);
    }

    public Pool(String alias, List<Upstream> upstreams, Strategy strategy, double spill) {
        this(alias, upstreams, strategy, spill, Admission.Settings.defaults());
    }

    /**
     * @param spill prefix affinity leaves the preferred deployment when its load exceeds the least loaded one's
     *     by more than this (requests, see {@link Upstream#load})
     * @param queue how requests wait when every deployment is at its concurrency limit
     */
    public Pool(String alias, List<Upstream> upstreams, Strategy strategy, double spill, Admission.Settings queue) {
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("pool " + alias + " has no deployments");
        }
        if (!(spill >= 0)) {
            throw new IllegalArgumentException("spill: " + spill + " (expected: >= 0)");
        }
        this.alias = alias;
        this.upstreams = List.copyOf(upstreams);
        this.strategy = strategy;
        this.spill = spill;
        this.idHashes = new long[this.upstreams.size()];
        for (int i = 0; i < idHashes.length; i++) {
            idHashes[i] = hash(this.upstreams.get(i).id());
        }
        this.admission = new Admission(this, queue);
        this.homes = new AffinityTable(this.upstreams.size(), AffinityTable.DEFAULT_CAPACITY);
    }

    /** Its admission control: slots under the deployments' concurrency limits, and the queue for them. */
    public Admission admission() {
        return admission;
    }

    public String alias() {
        return alias;
    }

    public List<Upstream> upstreams() {
        return upstreams;
    }

    public Strategy strategy() {
        return strategy;
    }

    /** True when its strategy reads the runtimes' load, so their metrics are worth polling. */
    public boolean loadAware() {
        return strategy == Strategy.LEAST_LOADED || strategy == Strategy.PREFIX_AFFINITY;
    }

    /** The next deployment, avoiding {@code tried}; null when none is left that may take a request now. */
    public Upstream pick(Set<Upstream> tried, long now) {
        return pick(tried, now, null);
    }

    /**
     * @param affinityKey what identifies the conversation for prefix affinity (null: none, least loaded is used)
     */
    public Upstream pick(Set<Upstream> tried, long now, String affinityKey) {
        return pick(tried, now, affinityKey, false, null);
    }

    /**
     * @param roomOnly only deployments below their concurrency limit ({@link Admission}), or {@code holding}
     * @param holding the deployment whose slot the request already holds (a retry in place needs no new one)
     */
    synchronized Upstream pick(Set<Upstream> tried, long now, String affinityKey, boolean roomOnly,
            Upstream holding) {
        // one reading of each deployment's health: Upstream.failed ejects under the deployment's lock, not this
        // one, and an ejection landing between two readings left no candidate at all
        List<Upstream> open = new ArrayList<>(upstreams.size());
        for (Upstream u : upstreams) {
            if (!tried.contains(u) && u.admits(now) && (!roomOnly || u == holding || u.hasRoom())) {
                open.add(u);
            }
        }
        if (open.isEmpty()) {
            return null;
        }
        Upstream best = switch (strategy) {
            case WEIGHTED -> weighted(open);
            case LEAST_IN_FLIGHT -> leastInFlight(open);
            case LEAST_LOADED -> twoChoices(open, now);
            case PREFIX_AFFINITY -> affinityKey == null ? twoChoices(open, now) : affine(open, now, affinityKey);
        };
        best.picked(now);
        return best;
    }

    /**
     * Takes over the conversations homed by the pool this one replaces (a config reload), on the deployments the
     * two have in common by id, so that a reload does not send every conversation to a cold cache.
     */
    void adoptHomes(Pool old) {
        if (strategy != Strategy.PREFIX_AFFINITY || old.strategy != Strategy.PREFIX_AFFINITY) {
            return;
        }
        AffinityTable snapshot = new AffinityTable(old.upstreams.size(), AffinityTable.DEFAULT_CAPACITY);
        synchronized (old) {
            snapshot.adopt(old.homes, i -> i);
        }
        synchronized (this) {
            homes.adopt(snapshot, i -> indexOf(old.upstreams.get(i).id()));
        }
    }

    private int indexOf(String deploymentId) {
        for (int i = 0; i < upstreams.size(); i++) {
            if (upstreams.get(i).id().equals(deploymentId)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether any deployment may take a request now, full or not (not ejected, no probe out). */
    boolean anyAdmits(long now) {
        for (Upstream u : upstreams) {
            if (u.admits(now)) {
                return true;
            }
        }
        return false;
    }

    /** When the first deployment of this pool may take a request again (for Retry-After). */
    public long availableAt(long now) {
        long soonest = Long.MAX_VALUE;
        for (Upstream u : upstreams) {
            soonest = Math.min(soonest, u.availableAt(now));
        }
        return soonest;
    }

    private Upstream weighted(List<Upstream> open) {
        Upstream best = null;
        int total = 0;
        for (Upstream u : open) {
            u.currentWeight(u.currentWeight() + u.weight());
            total += u.weight();
            if (best == null || u.currentWeight() > best.currentWeight()) {
                best = u;
            }
        }
        best.currentWeight(best.currentWeight() - total);
        return best;
    }

    private static Upstream leastInFlight(List<Upstream> open) {
        Upstream best = null;
        for (Upstream u : open) {
            if (best == null || u.inFlight() * (long) best.weight() < best.inFlight() * (long) u.weight()) {
                best = u;
            }
        }
        return best;
    }

    /**
     * Power of two choices: the less loaded of two deployments drawn at random. Nearly as good as the least
     * loaded of all, and it does not send every request to the same deployment between two metric readings,
     * which is what "least of all" does with a signal that is up to one poll interval old.
     */
    private static Upstream twoChoices(List<Upstream> open, long now) {
        if (open.size() == 1) {
            return open.get(0);
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int i = r.nextInt(open.size());
        int j = r.nextInt(open.size() - 1);
        if (j >= i) {
            j++;
        }
        Upstream a = open.get(i);
        Upstream b = open.get(j);
        return b.load(now, CACHE_WEIGHT) < a.load(now, CACHE_WEIGHT) ? b : a;
    }

    /**
     * A conversation stays on its home deployment, whose KV cache holds its prefix, while that is not busier than
     * the least loaded by more than the spill margin. A new conversation, or one spilling, is homed on the least
     * loaded deployment, then the one with fewest conversations, then by rendezvous (highest random weight)
     * hashing of its key, which replicas without a shared table agree on when the fleet is idle.
     */
    private Upstream affine(List<Upstream> open, long now, String key) {
        double least = Double.MAX_VALUE;
        double[] load = new double[open.size()];
        for (int k = 0; k < open.size(); k++) {
            load[k] = open.get(k).load(now, CACHE_WEIGHT);
            least = Math.min(least, load[k]);
        }
        int home = homes.home(key);
        if (home >= 0) {
            int k = open.indexOf(upstreams.get(home));
            if (k >= 0 && load[k] <= least + spill) {
                return open.get(k);
            }
        }
        long keyHash = hash(key);
        int best = -1;
        double bestShare = 0;
        double bestScore = 0;
        for (int k = 0; k < open.size(); k++) {
            Upstream u = open.get(k);
            int at = upstreams.indexOf(u);
            double share = (double) homes.conversations(at) / u.weight();
            // weighted rendezvous: -w / ln(x), x uniform in (0, 1)
            double x = ((mix(keyHash ^ idHashes[at]) >>> 11) + 0.5) / (double) (1L << 53);
            double score = -u.weight() / Math.log(x);
            if (best < 0 || load[k] < load[best]
                    || load[k] == load[best] && (share < bestShare || share == bestShare && score > bestScore)) {
                best = k;
                bestShare = share;
                bestScore = score;
            }
        }
        homes.move(key, upstreams.indexOf(open.get(best)));
        return open.get(best);
    }

    /** FNV-1a over UTF-8, then mixed: stable across JVMs and replicas, unlike String.hashCode's weak spread. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** MurmurHash3's 64-bit finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
