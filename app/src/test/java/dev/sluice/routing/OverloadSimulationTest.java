package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's overload measurement, in virtual time: the real {@link Pool}, {@link Admission} and {@link FairQueue}
 * (the code the gateway runs, driven with simulated clocks instead of event loops), in front of 4 deployments
 * with {@code max_concurrency: 4} each whose requests take 500 to 1500 ms (uniform): 16 slots, a capacity of 16
 * requests/s. Poisson arrivals at 4× that (64/s) for 60 s from three keys: {@code interactive} (priority 10, 10 % of
 * the traffic), {@code batch} (priority 0, 60 %) and {@code team} (priority 0, 30 %); {@code queue_size: 200},
 * {@code queue_timeout: 10s}. Deterministic (seeded); three seeds. The test asserts the outcome (no 5xx, every
 * request served within its deadline or shed, the runtimes never above their limit, the high priority's p99 wait
 * below the low ones', fair turns between the two low keys); {@code -Dsluice.sim.print=true} prints the tables
 * docs/ROUTING.md records.
 */
class OverloadSimulationTest {
    private static final int DEPLOYMENTS = 4;
    private static final int MAX_CONCURRENCY = 4;
    private static final long SERVICE_MIN_MS = 500;
    private static final long SERVICE_MAX_MS = 1500;
    private static final double CAPACITY_PER_S = DEPLOYMENTS * MAX_CONCURRENCY * 1000.0
            / ((SERVICE_MIN_MS + SERVICE_MAX_MS) / 2.0);
    private static final double OVERLOAD = 4;
    private static final long RUN_MS = 60_000;
    private static final int QUEUE_SIZE = 200;
    private static final long QUEUE_TIMEOUT_MS = 10_000;
    private static final long MS = 1_000_000L;

    private record Caller(String name, int priority, double share) {}

    private static final List<Caller> CALLERS = List.of(new Caller("interactive", 10, 0.1),
            new Caller("batch", 0, 0.6), new Caller("team", 0, 0.3));

    /** What happened to one key's requests. */
    static final class Stats {
        final String key;
        final int priority;
        int offered;
        int served;
        int shedFull;
        int shedTimeout;
        int errors;
        long retryAfterSeconds;
        final List<Long> waits = new ArrayList<>();

        Stats(String key, int priority) {
            this.key = key;
            this.priority = priority;
        }

        long waitPercentile(double p) {
            if (waits.isEmpty()) {
                return 0;
            }
            List<Long> sorted = waits.stream().sorted().toList();
            return sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * p) - 1));
        }

        long maxWait() {
            return waits.stream().mapToLong(Long::longValue).max().orElse(0);
        }

        @Override
        public String toString() {
            int shed = shedFull + shedTimeout;
            return String.format("| %-11s | %3d | %5d | %5d (%4.1f %%) | %5d | %5d | %d | %6d ms | %6d ms | %6d ms | %s |",
                    key, priority, offered, served, 100.0 * served / offered, shedFull, shedTimeout, errors,
                    waitPercentile(0.5), waitPercentile(0.99), maxWait(),
                    shed == 0 ? "–" : String.format("%.1f s", (double) retryAfterSeconds / shed));
        }
    }

    record Result(long seed, Map<String, Stats> byKey, int maxRunning, double servedPerSecond, int unaccounted) {}

    private record Req(Stats stats, long arrivalMs) {}

    private record Event(long atMs, int seq, Runnable action) {}

    /** One run: the event loop and what it measured. */
    private static final class Sim {
        final PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.atMs != b.atMs
                ? Long.compare(a.atMs, b.atMs) : Integer.compare(a.seq, b.seq));
        final Map<Upstream, Integer> running = new LinkedHashMap<>();
        final Random rnd;
        final Admission admission;
        long nowMs;
        int seq;
        int maxRunning;
        int inFlight;
        /** Requests that finished within the 60 s (throughput). */
        int doneInRun;

        Sim(long seed, Admission admission) {
            this.rnd = new Random(seed);
            this.admission = admission;
        }

        void at(long ms, Runnable action) {
            events.add(new Event(ms, seq++, action));
        }

        /** A request got its slot: it runs on that deployment, and gives the slot back when it is done. */
        void start(Permit permit, Req req) {
            long wait = nowMs - req.arrivalMs();
            req.stats().served++;
            req.stats().waits.add(wait);
            int n = running.merge(permit.upstream(), 1, Integer::sum);
            maxRunning = Math.max(maxRunning, n);
            long service = SERVICE_MIN_MS + rnd.nextLong(SERVICE_MAX_MS - SERVICE_MIN_MS + 1);
            at(nowMs + service, () -> {
                running.merge(permit.upstream(), -1, Integer::sum);
                inFlight--;
                doneInRun += nowMs <= RUN_MS ? 1 : 0;
                permit.release(nowMs * MS);
            });
        }

        void shed(Req req, boolean timeout) {
            if (timeout) {
                req.stats().shedTimeout++;
            } else {
                req.stats().shedFull++;
            }
            req.stats().retryAfterSeconds += admission.retryAfterSeconds(nowMs * MS);
            inFlight--;
        }

        void arrive(Req req, Caller c) {
            req.stats().offered++;
            inFlight++;
            Admission.Listener listener = new Admission.Listener() {
                @Override
                public void granted(Permit permit) {
                    start(permit, req);
                }

                @Override
                public void evicted(long now) {
                    shed(req, false);
                }
            };
            switch (admission.enter(c.name(), c.priority(), null, nowMs * MS, true, listener)) {
                case Admission.Entry.Admitted a -> start(a.permit(), req);
                case Admission.Entry.Queued q -> at(nowMs + QUEUE_TIMEOUT_MS, () -> {
                    if (admission.withdraw(q.waiter())) {
                        shed(req, true);
                    }
                });
                case Admission.Entry.Full f -> shed(req, false);
                case Admission.Entry.Unavailable u -> {
                    req.stats().errors++; // the gateway would answer 503: must never happen here
                    inFlight--;
                }
            }
        }
    }

    private record Arrival(long atMs, Caller caller) {}

    /** Poisson arrivals at 4× capacity for 60 s, each from a key drawn by its share. */
    private static List<Arrival> arrivals(long seed) {
        List<Arrival> out = new ArrayList<>();
        double meanGapMs = 1000.0 / (OVERLOAD * CAPACITY_PER_S);
        Random rnd = new Random(seed * 31 + 7);
        double t = 0;
        while (true) {
            t += -Math.log(1 - rnd.nextDouble()) * meanGapMs;
            if (t >= RUN_MS) {
                return out;
            }
            double pick = rnd.nextDouble();
            Caller caller = CALLERS.getLast();
            for (Caller c : CALLERS) {
                if (pick < c.share()) {
                    caller = c;
                    break;
                }
                pick -= c.share();
            }
            out.add(new Arrival((long) t, caller));
        }
    }

    private static Map<String, Stats> stats() {
        Map<String, Stats> byKey = new LinkedHashMap<>();
        CALLERS.forEach(c -> byKey.put(c.name(), new Stats(c.name(), c.priority())));
        return byKey;
    }

    private static List<Upstream> deployments(int maxConcurrency) {
        List<Upstream> ups = new ArrayList<>();
        for (int i = 0; i < DEPLOYMENTS; i++) {
            ups.add(new Upstream("d" + i, "m", new NoBackend(), null, 1, 3, Duration.ofSeconds(30), null, Map.of(),
                    null, maxConcurrency));
        }
        return ups;
    }

    static Result run(long seed, int queueSize) {
        Pool pool = new Pool("m", deployments(MAX_CONCURRENCY), Pool.Strategy.LEAST_IN_FLIGHT, Pool.DEFAULT_SPILL,
                new Admission.Settings(queueSize, Duration.ofMillis(QUEUE_TIMEOUT_MS)));
        Sim sim = new Sim(seed, pool.admission());
        Map<String, Stats> byKey = stats();
        for (Arrival a : arrivals(seed)) {
            sim.at(a.atMs(), () -> sim.arrive(new Req(byKey.get(a.caller().name()), a.atMs()), a.caller()));
        }
        while (!sim.events.isEmpty()) {
            Event e = sim.events.poll();
            sim.nowMs = e.atMs();
            e.action().run();
        }
        return new Result(seed, byKey, sim.maxRunning, sim.doneInRun * 1000.0 / RUN_MS, sim.inFlight);
    }

    /**
     * The same traffic with no admission control, for contrast: every request goes to a runtime at once (least in
     * flight), whose 4 batch slots take them in arrival order from an unbounded queue, as vLLM's scheduler does;
     * one not finished within REQUEST_TIMEOUT_S (60 s) of its arrival fails with 504. No priority exists there.
     */
    static Result withoutAdmission(long seed) {
        List<Upstream> ups = deployments(0);
        Pool pool = new Pool("m", ups, Pool.Strategy.LEAST_IN_FLIGHT);
        Map<String, Stats> byKey = stats();
        Map<Upstream, java.util.ArrayDeque<Req>> queues = new LinkedHashMap<>();
        Map<Upstream, Integer> running = new LinkedHashMap<>();
        ups.forEach(u -> {
            queues.put(u, new java.util.ArrayDeque<>());
            running.put(u, 0);
        });
        Sim sim = new Sim(seed, pool.admission());
        long timeoutMs = 60_000;
        Runnable[] pump = new Runnable[1];
        java.util.function.Consumer<Upstream> startWork = u -> {
            while (running.get(u) < MAX_CONCURRENCY && !queues.get(u).isEmpty()) {
                Req q = queues.get(u).poll();
                if (sim.nowMs - q.arrivalMs() >= timeoutMs) {
                    continue; // its client already got its 504
                }
                running.merge(u, 1, Integer::sum);
                long service = SERVICE_MIN_MS + sim.rnd.nextLong(SERVICE_MAX_MS - SERVICE_MIN_MS + 1);
                long end = sim.nowMs + service;
                sim.at(end, () -> {
                    running.merge(u, -1, Integer::sum);
                    u.finished();
                    if (end - q.arrivalMs() > timeoutMs) {
                        q.stats().errors++;
                    } else {
                        q.stats().served++;
                        q.stats().waits.add(end - service - q.arrivalMs());
                        sim.doneInRun += end <= RUN_MS ? 1 : 0;
                    }
                    pump[0].run();
                });
            }
        };
        pump[0] = () -> ups.forEach(startWork);
        for (Arrival a : arrivals(seed)) {
            sim.at(a.atMs(), () -> {
                Req req = new Req(byKey.get(a.caller().name()), a.atMs());
                req.stats().offered++;
                Upstream u = pool.pick(java.util.Set.of(), sim.nowMs * MS);
                u.started();
                queues.get(u).add(req);
                sim.at(a.atMs() + timeoutMs, () -> {
                    if (queues.get(u).remove(req)) {
                        u.finished();
                        req.stats().errors++;
                    }
                });
                startWork.accept(u);
            });
        }
        while (!sim.events.isEmpty()) {
            Event e = sim.events.poll();
            sim.nowMs = e.atMs();
            e.action().run();
        }
        return new Result(seed, byKey, MAX_CONCURRENCY, sim.doneInRun * 1000.0 / RUN_MS, 0);
    }

    private static void check(Result r, String config) {
        Stats interactive = r.byKey().get("interactive");
        Stats batch = r.byKey().get("batch");
        Stats team = r.byKey().get("team");
        String at = config + ", seed " + r.seed();
        assertThat(r.unaccounted()).as("%s: every request ended", at).isZero();
        for (Stats s : r.byKey().values()) {
            assertThat(s.errors).as("%s %s: no 5xx", at, s.key).isZero();
            assertThat(s.served + s.shedFull + s.shedTimeout).as("%s %s: served or shed", at, s.key)
                    .isEqualTo(s.offered);
            assertThat(s.maxWait()).as("%s %s: served within queue_timeout", at, s.key)
                    .isLessThanOrEqualTo(QUEUE_TIMEOUT_MS);
        }
        assertThat(r.maxRunning()).as("%s: no runtime above its max_concurrency", at)
                .isLessThanOrEqualTo(MAX_CONCURRENCY);
        assertThat(r.servedPerSecond()).as("%s: the fleet stays busy", at).isGreaterThan(0.95 * CAPACITY_PER_S);
        assertThat(interactive.waitPercentile(0.99)).as("%s: interactive p99 below batch's", at)
                .isLessThan(batch.waitPercentile(0.99));
        assertThat(interactive.waitPercentile(0.99)).as("%s: interactive p99 below team's", at)
                .isLessThan(team.waitPercentile(0.99));
        assertThat(interactive.shedFull + interactive.shedTimeout).as("%s: interactive fits in the fleet", at)
                .isLessThanOrEqualTo(interactive.offered / 100);
        // equal priority, equal turns: team sends half of batch's traffic and still gets a like number served
        assertThat((double) team.served).as("%s: fair turns", at).isGreaterThan(0.8 * batch.served);
    }

    private static void print(String title, List<Result> results) {
        if (!Boolean.getBoolean("sluice.sim.print")) {
            return;
        }
        for (Result r : results) {
            System.out.printf("%s, seed %d: %.1f requests/s finished within the 60 s (capacity %.0f/s), most at one"
                    + " runtime at once %d%n", title, r.seed(), r.servedPerSecond(), CAPACITY_PER_S, r.maxRunning());
            System.out.println("| key | priority | offered | served | shed: queue full | shed: queue_timeout"
                    + " | 5xx | p50 wait | p99 wait | max wait | mean Retry-After |");
            r.byKey().values().forEach(System.out::println);
        }
    }

    @Test
    void at_four_times_capacity_nothing_fails_everyone_is_served_in_time_or_shed_and_priority_waits_least() {
        for (int queueSize : new int[] {QUEUE_SIZE, 64}) {
            List<Result> results = new ArrayList<>();
            for (long seed = 1; seed <= 3; seed++) {
                Result r = run(seed, queueSize);
                check(r, "queue_size " + queueSize);
                results.add(r);
            }
            print("queue_size " + queueSize, results);
        }
    }

    @Test
    void without_admission_control_the_same_overload_ends_in_timeouts() {
        Result r = withoutAdmission(1);
        int errors = r.byKey().values().stream().mapToInt(s -> s.errors).sum();
        int offered = r.byKey().values().stream().mapToInt(s -> s.offered).sum();
        assertThat(errors).as("504s once the runtimes' own queues pass 60 s").isGreaterThan(offered / 4);
        assertThat(r.byKey().get("interactive").waitPercentile(0.99)).as("no priority at the runtime")
                .isGreaterThan(10 * QUEUE_TIMEOUT_MS / 4);
        print("no admission control (REQUEST_TIMEOUT_S 60)", List.of(r));
    }
}
