/**
 * Spend and budgets (docs/KEYS-AND-BUDGETS.md): what each request cost at its deployment's price, settled from its
 * real usage when it ends; spend per key and per alias over UTC day and month windows, counted in process or in Redis
 * (exact integer nano-dollars, so replicas agree); {@link dev.sluice.budget.BudgetGate}, which refuses a request whose
 * key or alias has spent a budget, with no HTTP types; and the usage report of {@code GET /v1/usage}. May use:
 * {@code config}, {@code protocol}, {@code error}, {@code auth} (named keys), {@code observability} (the request
 * record, metrics).
 */
package dev.sluice.budget;
