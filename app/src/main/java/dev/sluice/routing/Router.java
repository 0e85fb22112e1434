package dev.sluice.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Maps the model name a client sends to a pool of deployments, and knows the fallback chain of each alias
 * and the retry policy. Aliases may be globs ({@code claude-*}); an alias of {@code *} takes any name. Exact
 * names win over globs, and a more specific glob (more literal characters) over a less specific one.
 */
public final class Router implements AutoCloseable {
    private final RouteEvents events;
    /**
     * Everything one configuration routes by. A config reload builds a new Router from the new file and
     * {@link #replaceWith adopts} its table in one write; each request reads the table once (in {@link #route}), so
     * a request keeps the pools it started with however many reloads happen while it runs.
     */
    private volatile Table table;

    /** A glob alias: {@code stars} wildcards, {@code literal} other characters (more is more specific). */
    private record Glob(Pattern pattern, Pool pool, int stars, int literal) {}

    private record Table(Map<String, Pool> exact, List<Glob> globs, Map<String, List<String>> fallbacks,
            RetryPolicy policy, RetryBudget budget) {}

    /** What routing tells the outside world (metrics), so routing needs no metrics types. */
    public interface RouteEvents {
        RouteEvents NONE = new RouteEvents() {};

        default void attempt(Upstream u) {}

        /** {@code strategy} chose {@code deployment} of the pool {@code alias} for an attempt (retries included). */
        default void chosen(String alias, String deployment, Pool.Strategy strategy) {}

        default void retry(String alias) {}

        default void fallback(String alias) {}

        default void ejected(Upstream u) {}

        /**
         * A request left admission control ({@link Admission}) of a pool with a concurrency limit: admitted (after
         * {@code waitNanos} in the queue, 0 when a slot was free), shed, or gone while it waited.
         *
         * @param caller the key's name (its principal), "" without keys
         */
        default void admission(String alias, String caller, AdmissionOutcome outcome, long waitNanos) {}

        /** The alias's queue grew ({@code +1}) or shrank ({@code -1}). */
        default void queueDepth(String alias, int delta) {}
    }

    /** How a request left admission control; the metric label is the lower-case name. */
    public enum AdmissionOutcome { ADMITTED, SHED_FULL, SHED_TIMEOUT, CANCELLED }

    /**
     * @param aliases extra names per pool alias (globs allowed), e.g. MODEL_ALIASES
     */
    public Router(List<Pool> pools, Map<String, List<String>> aliases, Map<String, List<String>> fallbacks,
            RetryPolicy policy, RetryBudget budget, RouteEvents events) {
        Map<String, Pool> exact = new LinkedHashMap<>();
        List<Glob> globs = new ArrayList<>();
        for (Pool p : pools) {
            add(exact, globs, p.alias(), p);
            for (String a : aliases.getOrDefault(p.alias(), List.of())) {
                add(exact, globs, a, p);
            }
        }
        this.table = new Table(java.util.Collections.unmodifiableMap(exact), List.copyOf(globs),
                Map.copyOf(fallbacks), policy, budget);
        this.events = events;
    }

    /**
     * Routes by {@code next}'s configuration from now on (a config reload); requests already routed keep theirs.
     * {@code next} is not used afterwards and must not be closed.
     *
     * @return the pools that no longer take new requests: the caller closes their backends once the requests in
     *     flight on them have ended
     */
    public List<Pool> replaceWith(Router next) {
        List<Pool> old = pools();
        for (Pool p : next.pools()) {
            for (Pool o : old) {
                if (o.alias().equals(p.alias())) {
                    p.adoptHomes(o);
                }
            }
        }
        this.table = next.table;
        return old;
    }

    private static void add(Map<String, Pool> exact, List<Glob> globs, String name, Pool p) {
        if (name.contains("*")) {
            StringBuilder re = new StringBuilder();
            for (String part : name.split("\\*", -1)) {
                if (!re.isEmpty()) {
                    re.append(".*");
                }
                re.append(Pattern.quote(part));
            }
            globs.add(new Glob(Pattern.compile(re.toString()), p, name.length() - name.replace("*", "").length(),
                    name.replace("*", "").length()));
            // the most specific glob wins whatever the order of the config (as LiteLLM's wildcard routing does):
            // "*" must not shadow "claude-*" just because it was listed first
            globs.sort(Comparator.comparingInt(Glob::literal).reversed().thenComparingInt(Glob::stars));
        } else {
            exact.put(name, p);
        }
    }

    /** The pool for a client's model name, or null when no alias matches. */
    public Pool pool(String clientModel) {
        return pool(table, clientModel);
    }

    private static Pool pool(Table t, String clientModel) {
        if (clientModel == null) {
            return null;
        }
        Pool p = t.exact().get(clientModel);
        if (p != null) {
            return p;
        }
        for (Glob g : t.globs()) {
            if (g.pattern().matcher(clientModel).matches()) {
                return g.pool();
            }
        }
        return null;
    }

    /** A new per-request route, or null when nothing serves that model. */
    public Route route(String clientModel) {
        Table t = table;
        Pool first = pool(t, clientModel);
        if (first == null) {
            return null;
        }
        List<Pool> chain = new ArrayList<>();
        chain.add(first);
        for (String fb : t.fallbacks().getOrDefault(first.alias(), List.of())) {
            Pool p = t.exact().get(fb);
            if (p != null && !chain.contains(p)) {
                chain.add(p);
            }
        }
        return new Route(clientModel, chain, t.policy(), t.budget(), events);
    }

    /** Pools whose alias is a concrete name (what /v1/models lists). */
    public List<Pool> namedPools() {
        List<Pool> out = new ArrayList<>();
        for (var e : table.exact().entrySet()) {
            if (e.getKey().equals(e.getValue().alias()) && !out.contains(e.getValue())) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    /** Closes every deployment's backend (connection pools, event loops). */
    @Override
    public void close() {
        for (Pool p : pools()) {
            for (Upstream u : p.upstreams()) {
                u.backend().close();
            }
        }
    }

    /** Every pool, globs and wildcards included. */
    public List<Pool> pools() {
        Table t = table;
        List<Pool> out = new ArrayList<>(t.exact().values());
        for (Glob g : t.globs()) {
            if (!out.contains(g.pool())) {
                out.add(g.pool());
            }
        }
        return out.stream().distinct().toList();
    }
}
