package dev.sluice.budget;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.config.Budget;
import dev.sluice.config.FileConfig;
import dev.sluice.config.Money;
import dev.sluice.config.NamedKey;
import dev.sluice.config.RedisSettings;
import dev.sluice.error.Cause;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.observability.GatewayMetrics;
import dev.sluice.observability.RequestRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Budgets per key and per model alias, over the UTC day and month (docs/KEYS-AND-BUDGETS.md). Before dispatch,
 * {@link #admit} refuses a request whose key or alias has already spent a budget (429 in the caller's dialect, naming
 * the budget, with Retry-After until it resets); when the request ends, {@link #settle} charges what it used at its
 * deployment's price, like the token limits settle their reservations. Budgets are post-paid: a request is admitted
 * while spend is below the budget, so requests in flight when it is reached may end above it. No HTTP types.
 */
public final class BudgetGate implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BudgetGate.class);
    /** The tightest budget that applies, in US dollars, before this request: on answers and on refusals (0). */
    public static final String REMAINING_HEADER = "x-sluice-budget-remaining";
    /** Counters outlive their window by this much, then expire. */
    static final Duration KEEP = Duration.ofDays(1);

    private final SpendStore store;
    private final Clock clock;
    private final ApiKeyAuthenticator authenticator;
    private final GatewayMetrics metrics;
    private final Prices prices;
    private final UsageReport report;
    private final AtomicLong fallbacks = new AtomicLong();
    /** The config file's alias budgets; a config reload swaps them in one write. */
    private volatile Map<String, Budget> aliasBudgets;

    /** Spend in Redis when it is set, else in process; windows on {@code clock} (UTC). */
    public BudgetGate(RedisSettings redis, FileConfig file, ApiKeyAuthenticator authenticator, GatewayMetrics metrics,
            Clock clock) {
        this(redis.enabled() ? new RedisSpend(redis) : new LocalSpend(clock::millis), file, authenticator, metrics,
                clock);
    }

    BudgetGate(SpendStore store, FileConfig file, ApiKeyAuthenticator authenticator, GatewayMetrics metrics,
            Clock clock) {
        this.store = store;
        this.clock = clock;
        this.authenticator = authenticator;
        this.metrics = metrics;
        this.prices = new Prices(file.spending().prices());
        this.aliasBudgets = file.spending().budgets();
        this.report = new UsageReport(store, prices, authenticator, () -> aliasBudgets);
    }

    /** A reloaded config file's alias budgets and prices, for the requests from now on; spend so far stays. */
    public void reload(FileConfig file) {
        this.aliasBudgets = file.spending().budgets();
        prices.reload(file.spending().prices());
    }

    /** Checks that failed for want of Redis and were admitted unchecked (or refused, when it fails closed). */
    public long fallbackDecisions() {
        return fallbacks.get();
    }

    /** A decision: {@code refusal} null when admitted, with the headers to add to the answer then. */
    public record Decision(GatewayException refusal, Map<String, String> headers) {
        static final Decision ADMIT = new Decision(null, Map.of());
    }

    /** One budget that applies to a request: whose, over which window, how much. */
    private record Applied(String member, String who, Period.Window window, long budget) {
        String counter() {
            return member + ":" + window.id();
        }
    }

    /**
     * Whether the caller may start a request on {@code alias}: refused when its key's or the alias's daily or monthly
     * spend has reached the budget.
     *
     * @param key the named key the request authenticated with; null to look {@code principal} up
     */
    public CompletableFuture<Decision> admit(String principal, NamedKey key, String alias) {
        NamedKey k = key != null ? key : authenticator.named(principal);
        Instant now = clock.instant();
        List<Applied> applied = new ArrayList<>(4);
        if (principal != null && k != null && k.budget() != null) {
            add(applied, "key:" + principal, "API key '" + principal + "'", k.budget(), now);
        }
        Budget b = alias == null ? null : aliasBudgets.get(alias);
        if (b != null) {
            add(applied, "model:" + alias, "model '" + alias + "'", b, now);
        }
        if (applied.isEmpty()) {
            return CompletableFuture.completedFuture(Decision.ADMIT);
        }
        return store.spent(applied.stream().map(Applied::counter).toList())
                .handle((spent, e) -> e != null ? unavailable(e) : decide(applied, spent, now));
    }

    private static void add(List<Applied> out, String member, String who, Budget b, Instant now) {
        if (b.daily() != null) {
            out.add(new Applied(member, who, Period.DAY.at(now), b.dailyNanos()));
        }
        if (b.monthly() != null) {
            out.add(new Applied(member, who, Period.MONTH.at(now), b.monthlyNanos()));
        }
    }

    /** Refused by the spent budget that resets last (waiting for an earlier one would not help); else admitted. */
    private Decision decide(List<Applied> applied, long[] spent, Instant now) {
        long tightest = Long.MAX_VALUE;
        int denied = -1;
        for (int i = 0; i < applied.size(); i++) {
            long left = applied.get(i).budget() - spent[i];
            tightest = Math.min(tightest, Math.max(0, left));
            Instant end = applied.get(i).window().end();
            if (left <= 0 && (denied < 0 || end.isAfter(applied.get(denied).window().end()))) {
                denied = i;
            }
        }
        if (denied < 0) {
            return new Decision(null, Map.of(REMAINING_HEADER, Money.usd(tightest).toPlainString()));
        }
        Applied a = applied.get(denied);
        Period p = a.window().period();
        metrics.budgetExceeded(a.member().substring(0, a.member().indexOf(':')), p.adjective);
        long retryAfter = Math.max(1, Math.ceilDiv(Duration.between(now, a.window().end()).toMillis(), 1000));
        return new Decision(new GatewayException(ErrorKind.RATE_LIMITED, 429, "budget exceeded: " + a.who()
                + " has spent its " + p.adjective + " budget of " + Money.show(a.budget()) + " ("
                + Money.show(spent[denied]) + " " + p.sofar + "); it resets at " + a.window().end()
                + ", in " + retryAfter + " s", null, "budget_exceeded",
                Map.of("Retry-After", Long.toString(retryAfter), REMAINING_HEADER, "0.00"), Cause.BUDGET_EXHAUSTED),
                Map.of());
    }

    private Decision unavailable(Throwable e) {
        fallbacks.incrementAndGet();
        boolean closed = store.failClosed();
        LOG.warn("budget check failed ({}); REDIS_FAILURE_MODE={}: the request is {}", e.getClass().getSimpleName(),
                closed ? "closed" : "open", closed ? "refused (503)" : "admitted unchecked");
        if (!closed) {
            return Decision.ADMIT;
        }
        return new Decision(new GatewayException(ErrorKind.OVERLOADED, 503, "budget store unavailable (Redis"
                + " unreachable, REDIS_FAILURE_MODE=closed); retry shortly", null, null, Map.of("Retry-After", "1")),
                Map.of());
    }

    /**
     * Charges a request that ended: its usage at the price of the deployment that answered, to its key's and its
     * alias's day and month. A request no deployment answered (refused, failed before an answer, or served from the
     * response cache) costs nothing and is not counted.
     *
     * @param bodyLength the request body's bytes: without reported usage, input is estimated as bytes / 4, the
     *     estimate the token limits reserve
     */
    public void settle(RequestRecord r, int bodyLength) {
        try {
            Totals used = used(r, bodyLength);
            if (used == null) {
                return;
            }
            long nanos = prices.cost(r.backend(), used.input(), used.output(), used.cached(), r.startNanos(),
                    r.startNanos() + r.durationNanos());
            Instant now = clock.instant();
            List<SpendStore.Counter> counters = new ArrayList<>(4);
            for (String member : new String[] {r.principal() == null ? null : "key:" + r.principal(),
                r.alias() == null ? null : "model:" + r.alias()}) {
                for (Period p : member == null ? new Period[0] : Period.values()) {
                    Period.Window w = p.at(now);
                    counters.add(new SpendStore.Counter(member, w.id(), Duration.between(now, w.end()).plus(KEEP)));
                }
            }
            store.add(counters, new Totals(nanos, used.input(), used.output(), used.cached(), 1));
            if (nanos > 0) {
                metrics.spend(r, nanos / (double) Money.NANOS_PER_USD);
            }
        } catch (RuntimeException e) {
            LOG.error("spend of request {} not settled ({})", r.requestId(), e.getClass().getSimpleName(), e);
        }
    }

    /**
     * The tokens to charge: the usage the runtime reported; for a stream that ended without usage, what is known
     * (input: the larger of the translator's estimate and bytes / 4; output: the content events relayed, about a token
     * each); for an answer without usage, the input estimate. Null when nothing was answered.
     */
    private static Totals used(RequestRecord r, int bodyLength) {
        if (r.backend() == null) {
            return null;
        }
        long estimate = Math.max(0, bodyLength) / 4;
        if (r.tokensIn() >= 0) {
            return r.tokensEstimated()
                    ? new Totals(0, Math.max(r.tokensIn(), estimate), Math.max(0, r.tokensOut()), 0, 1)
                    : new Totals(0, r.tokensIn(), Math.max(0, r.tokensOut()), r.tokensCached(), 1);
        }
        return r.status() >= 400 || r.status() == 0 ? null : new Totals(0, estimate, 0, 0, 1);
    }

    /**
     * The usage report of {@code GET /v1/usage}: spend and tokens today and this month, with budgets and what is left.
     *
     * @param principal the caller's key, whose entry alone is shown unless {@code everything}
     * @param everything every key and alias (the master key, or a gateway without keys), and the prices
     */
    public CompletableFuture<ObjectNode> usage(String principal, boolean everything) {
        return report.build(principal, everything, clock.instant());
    }

    @Override
    public void close() {
        store.close();
    }
}
