package dev.sluice.endpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.translate.OpenAiPassthroughRequest.Endpoint;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A client's request, parsed once and checked for what does not depend on the deployment. Each client dialect
 * is one variant; {@link Pairs} meets it with a deployment's wire.
 */
public sealed interface ClientRequest {
    /** The model the client asked for (after defaulting an absent one), echoed back to it. */
    String clientModel();

    /** Whether the client asked for an event stream. */
    boolean stream();

    /** The parsed body: read-only here, each pair copies what it changes. */
    ObjectNode json();

    /**
     * OpenAI chat completions, completions or embeddings.
     *
     * @param raw the client's bytes, sent as they are when nothing has to change
     */
    record OpenAi(Endpoint endpoint, String path, byte[] raw, ObjectNode json, String clientModel, boolean stream)
            implements ClientRequest {}

    /**
     * Anthropic Messages.
     *
     * @param messageId the id every attempt's stream uses, so a retried stream still has one identity
     * @param headers request headers the backend must see when it is the real API ({@code anthropic-beta})
     */
    record Messages(ObjectNode json, String clientModel, boolean stream, String messageId,
            Map<String, String> headers) implements ClientRequest {}

    /**
     * The OpenAI Responses API.
     *
     * @param priorItems the earlier turns that {@code previous_response_id} names (its input and output items),
     *     empty without one, null when the id was not found here and only a deployment serving Responses itself
     *     can resolve it
     * @param store the client wants the response kept ({@code store}, default true) and the gateway keeps them
     * @param createdAt {@code created_at} of the response, epoch seconds
     * @param completed called with the finished Response object (completed or incomplete), to store it
     */
    record Responses(ObjectNode json, String clientModel, boolean stream, List<JsonNode> priorItems, boolean store,
            long createdAt, Consumer<JsonNode> completed) implements ClientRequest {}
}
