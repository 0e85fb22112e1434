package dev.sluice.http;

import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.budget.BudgetGate;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.keys.KeyAdmin;
import dev.sluice.observability.RequestRecord;
import dev.sluice.protocol.Json;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/usage} (docs/KEYS-AND-BUDGETS.md#usage): a key sees its own spend, tokens and budgets for the current
 * UTC day and month; the master key (or anyone, on a gateway without keys) sees every key and alias, and the prices.
 * {@link AuthFilter} has already refused a missing or unknown key.
 */
@Controller
@Tag(name = "Usage", description = "Spend and budgets")
public final class UsageController {
    private final BudgetGate budgets;
    private final KeyAdmin admin;
    private final ApiKeyAuthenticator authenticator;

    UsageController(BudgetGate budgets, KeyAdmin admin, ApiKeyAuthenticator authenticator) {
        this.budgets = budgets;
        this.admin = admin;
        this.authenticator = authenticator;
    }

    @Operation(summary = "Spend, tokens and budgets today and this month (UTC)", description = "A key sees its own"
            + " entry under 'keys'; the master key sees every key and model alias, and the price of each deployment."
            + " Amounts are US dollars.", responses = {
                @ApiResponse(responseCode = "200", description = "the usage report"),
                @ApiResponse(responseCode = "401", description = "no key, or an unknown one"),
                @ApiResponse(responseCode = "503", description = "Redis unreachable")})
    @Get(uri = "/v1/usage", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> usage(HttpRequest<?> request) {
        String presented = ApiKeyAuthenticator.presentedKey(request.getHeaders().get("x-api-key"),
                request.getHeaders().get("Authorization"));
        RequestRecord record = Attributes.record(request);
        boolean everything = !authenticator.enabled() || admin.isMaster(presented);
        return budgets.usage(record == null ? null : record.principal(), everything)
                .<MutableHttpResponse<?>>thenApplyAsync(o -> Replies.json(Json.bytes(o)), Replies.loop(request))
                .exceptionally(e -> ErrorResponses.of(request, GatewayException.of(ErrorKind.OVERLOADED,
                        "usage store unavailable (Redis unreachable); retry shortly")
                        .withHeader("Retry-After", "1")));
    }
}
