package dev.sluice.budget;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.config.Budget;
import dev.sluice.config.Money;
import dev.sluice.config.NamedKey;
import dev.sluice.config.Price;
import dev.sluice.protocol.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The body of {@code GET /v1/usage}: for each key and alias, what it spent and used in the current UTC day and month,
 * its budget for each and what is left of it. Amounts are US dollars as exact decimals.
 */
final class UsageReport {
    private final SpendStore store;
    private final Prices prices;
    private final ApiKeyAuthenticator authenticator;
    private final Supplier<Map<String, Budget>> aliasBudgets;

    UsageReport(SpendStore store, Prices prices, ApiKeyAuthenticator authenticator,
            Supplier<Map<String, Budget>> aliasBudgets) {
        this.store = store;
        this.prices = prices;
        this.authenticator = authenticator;
        this.aliasBudgets = aliasBudgets;
    }

    CompletableFuture<ObjectNode> build(String principal, boolean everything, Instant now) {
        Period.Window day = Period.DAY.at(now);
        Period.Window month = Period.MONTH.at(now);
        CompletableFuture<Set<String>> members;
        if (everything) {
            members = store.members(day.id()).thenCombine(store.members(month.id()), (a, b) -> {
                Set<String> all = new TreeSet<>(a);
                all.addAll(b);
                authenticator.namedKeys().stream().filter(k -> k.budget() != null)
                        .forEach(k -> all.add("key:" + k.name()));
                aliasBudgets.get().keySet().forEach(alias -> all.add("model:" + alias));
                return all;
            });
        } else {
            members = CompletableFuture.completedFuture(principal == null ? Set.of() : Set.of("key:" + principal));
        }
        return members.thenCompose(names -> {
            List<String> counters = new ArrayList<>();
            for (String m : names) {
                counters.add(m + ":" + day.id());
                counters.add(m + ":" + month.id());
            }
            return store.totals(counters).thenApply(totals -> render(names, totals, day, month, everything));
        });
    }

    private ObjectNode render(Set<String> members, Map<String, Totals> totals, Period.Window day,
            Period.Window month, boolean everything) {
        ObjectNode o = Json.object();
        o.put("object", "usage");
        o.put("currency", "USD");
        for (Period.Window w : List.of(day, month)) {
            o.putObject(w.period() == Period.DAY ? "day" : "month").put("window", w.label())
                    .put("resets_at", w.end().toString());
        }
        ArrayNode keys = o.putArray("keys");
        ArrayNode models = o.putArray("models");
        for (String m : members) {
            int colon = m.indexOf(':');
            String scope = m.substring(0, colon);
            String name = m.substring(colon + 1);
            Budget budget = scope.equals("key") ? keyBudget(name) : aliasBudgets.get().get(name);
            ObjectNode entry = (scope.equals("key") ? keys : models).addObject();
            entry.put("name", name);
            window(entry.putObject("day"), totals.getOrDefault(m + ":" + day.id(), Totals.ZERO),
                    budget == null ? -1 : budget.dailyNanos());
            window(entry.putObject("month"), totals.getOrDefault(m + ":" + month.id(), Totals.ZERO),
                    budget == null ? -1 : budget.monthlyNanos());
        }
        if (everything) {
            prices(o.putArray("prices"));
        }
        return o;
    }

    private Budget keyBudget(String name) {
        NamedKey k = authenticator.named(name);
        return k == null ? null : k.budget();
    }

    private static void window(ObjectNode w, Totals t, long budget) {
        w.put("spend", Money.usd(t.nanos()));
        if (budget < 0) {
            w.putNull("budget");
            w.putNull("remaining");
        } else {
            w.put("budget", Money.usd(budget));
            w.put("remaining", Money.usd(Math.max(0, budget - t.nanos())));
        }
        w.put("input_tokens", t.input());
        w.put("cached_input_tokens", t.cached());
        w.put("output_tokens", t.output());
        w.put("requests", t.requests());
    }

    /** Each priced deployment; for {@code gpu_hour}, the measured rate and the output price derived from it. */
    private void prices(ArrayNode out) {
        new TreeSet<>(prices.all().keySet()).forEach(id -> {
            Price p = prices.all().get(id);
            ObjectNode n = out.addObject();
            n.put("deployment", id);
            n.put("input", p.input());
            n.put("cached_input", p.cachedInput());
            if (p.derived()) {
                double rate = prices.measuredPerSecond(id);
                BigDecimal output = Prices.derived(p, rate);
                n.put("gpu_hour", p.gpuHour());
                n.put("measured_output_tokens_per_second", Math.round(rate * 100) / 100.0);
                n.put("output", output == null ? null : output.setScale(6, java.math.RoundingMode.HALF_UP));
            } else {
                n.put("output", p.output());
            }
        });
    }
}
