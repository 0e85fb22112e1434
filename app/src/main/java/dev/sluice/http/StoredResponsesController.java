package dev.sluice.http;

import dev.sluice.cache.ResponsesStore;
import dev.sluice.endpoint.Exchange;
import dev.sluice.endpoint.RequestBodies;
import dev.sluice.endpoint.ResponsesRequests;
import dev.sluice.error.GatewayException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.concurrent.CompletableFuture;

/** Stored Responses API responses, each readable and deletable only by the key that created it. */
@Controller
@Tag(name = "OpenAI Responses API")
public final class StoredResponsesController {
    private final ResponsesRequests requests;

    StoredResponsesController(Exchange exchange, ResponsesStore store, RequestBodies bodies) {
        this.requests = new ResponsesRequests(exchange.router(), store, bodies);
    }

    @Operation(summary = "Retrieve a stored response")
    @Get(uri = "/v1/responses/{id}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> get(HttpRequest<?> request, @PathVariable String id) {
        return answer(request, () -> requests.get(id, ResponsesController.owner(Attributes.record(request))));
    }

    @Operation(summary = "Delete a stored response")
    @Delete(uri = "/v1/responses/{id}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> delete(HttpRequest<?> request, @PathVariable String id) {
        return answer(request, () -> requests.delete(id, ResponsesController.owner(Attributes.record(request))));
    }

    @Operation(summary = "List a stored response's input items")
    @Get(uri = "/v1/responses/{id}/input_items", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> inputItems(HttpRequest<?> request, @PathVariable String id,
            @QueryValue @Nullable String after, @QueryValue @Nullable Integer limit,
            @QueryValue @Nullable String order) {
        return answer(request, () -> requests.inputItems(id, ResponsesController.owner(Attributes.record(request)), after, limit, order));
    }

    private static CompletableFuture<MutableHttpResponse<?>> answer(HttpRequest<?> request,
            java.util.function.Supplier<CompletableFuture<byte[]>> body) {
        try {
            return body.get().<MutableHttpResponse<?>>thenApply(Replies::json)
                    .exceptionally(e -> ErrorResponses.ofThrowable(request, e));
        } catch (GatewayException e) {
            return Replies.fail(request, e);
        }
    }

}
