package dev.sluice.routing;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The order in which waiting requests get a free slot: strictly by priority (higher first), and within one
 * priority round robin over the callers' own FIFO queues, so a caller that sends a burst of a hundred waits behind
 * its own requests, not in front of everyone else's (a plain FIFO lets one batch job starve every other caller of
 * the same priority). Not thread-safe: {@link Admission} guards it.
 */
final class FairQueue<W> {
    /** Priority (highest first) → caller → that caller's waiters in arrival order; the map's order is the turn. */
    private final TreeMap<Integer, LinkedHashMap<String, ArrayDeque<W>>> levels =
            new TreeMap<>(Comparator.reverseOrder());
    private final ToIntFunction<W> priority;
    private final Function<W, String> caller;
    private int size;

    FairQueue(ToIntFunction<W> priority, Function<W, String> caller) {
        this.priority = priority;
        this.caller = caller;
    }

    void add(W w) {
        levels.computeIfAbsent(priority.applyAsInt(w), p -> new LinkedHashMap<>())
                .computeIfAbsent(caller.apply(w), c -> new ArrayDeque<>()).addLast(w);
        size++;
    }

    /** The waiter whose turn it is, or null when none waits. */
    W peek() {
        if (size == 0) {
            return null;
        }
        return levels.firstEntry().getValue().values().iterator().next().peekFirst();
    }

    /** Takes the waiter whose turn it is; its caller goes to the back of the turn if it has more waiting. */
    W poll() {
        if (size == 0) {
            return null;
        }
        Map.Entry<Integer, LinkedHashMap<String, ArrayDeque<W>>> level = levels.firstEntry();
        Iterator<Map.Entry<String, ArrayDeque<W>>> callers = level.getValue().entrySet().iterator();
        Map.Entry<String, ArrayDeque<W>> first = callers.next();
        W w = first.getValue().pollFirst();
        callers.remove();
        if (!first.getValue().isEmpty()) {
            level.getValue().put(first.getKey(), first.getValue());
        }
        if (level.getValue().isEmpty()) {
            levels.pollFirstEntry();
        }
        size--;
        return w;
    }

    /** Takes {@code w} out wherever it is (its deadline passed, its client left); false when it is not here. */
    boolean remove(W w) {
        int p = priority.applyAsInt(w);
        LinkedHashMap<String, ArrayDeque<W>> level = levels.get(p);
        if (level == null) {
            return false;
        }
        String c = caller.apply(w);
        ArrayDeque<W> mine = level.get(c);
        if (mine == null || !mine.removeIf(x -> x == w)) {
            return false;
        }
        if (mine.isEmpty()) {
            level.remove(c);
            if (level.isEmpty()) {
                levels.remove(p);
            }
        }
        size--;
        return true;
    }

    /**
     * Makes room for a waiter of {@code priority} in a full queue: takes out the newest waiter of the lowest priority
     * below it, from the caller with the most waiting there (so the heaviest caller loses its place first). Null
     * when no one waits at a lower priority: then it is the newcomer that does not fit.
     */
    W evictBelow(int priority) {
        Map.Entry<Integer, LinkedHashMap<String, ArrayDeque<W>>> lowest = levels.lastEntry();
        if (lowest == null || lowest.getKey() >= priority) {
            return null;
        }
        Map.Entry<String, ArrayDeque<W>> heaviest = null;
        for (Map.Entry<String, ArrayDeque<W>> e : lowest.getValue().entrySet()) {
            if (heaviest == null || e.getValue().size() >= heaviest.getValue().size()) {
                heaviest = e;
            }
        }
        W w = heaviest.getValue().peekLast();
        remove(w);
        return w;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }
}
