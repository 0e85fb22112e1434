package dev.sluice.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What a runtime's stream says of its answer, for the spans: the model that answered (the first event that names
 * one) and why each choice stopped, in the runtime's own words, as a JSON answer's spans have them. Filled in by a
 * {@link StreamTranslator} from events it reads anyway. Not thread-safe: one instance per response.
 */
public final class StreamAnswer {
    /** A runtime that repeats a finish reason in every chunk cannot grow the list without bound. */
    private static final int MAX_REASONS = 64;

    private String model;
    private List<String> reasons = List.of();

    /** A parsed chat completion chunk: its model and each choice's finish reason. */
    public void chunk(JsonNode chunk) {
        if (model == null) {
            model(Json.text(chunk, "model"));
        }
        for (JsonNode choice : chunk.path("choices")) {
            reason(Json.text(choice, "finish_reason"));
        }
    }

    /**
     * A Responses object (a terminal event's {@code response}): its model, and why it stopped, which the Responses
     * API says as {@code incomplete_details.reason} when incomplete and as its {@code status} otherwise.
     */
    public void response(JsonNode response) {
        model(Json.text(response, "model"));
        reason(responsesReason(response));
    }

    /** Why a Responses object stopped, as {@link #response} reads it; null when it says nothing. */
    public static String responsesReason(JsonNode response) {
        String incomplete = Json.text(response.path("incomplete_details"), "reason");
        return incomplete != null ? incomplete : Json.text(response, "status");
    }

    /** Keeps the first model named; later ones (or none) change nothing. */
    public void model(String name) {
        if (model == null && name != null && !name.isEmpty()) {
            model = name;
        }
    }

    public void reason(String reason) {
        if (reason == null || reason.isEmpty() || reasons.size() >= MAX_REASONS) {
            return;
        }
        if (reasons.isEmpty()) {
            reasons = new ArrayList<>(1);
        }
        reasons.add(reason);
    }

    /** The model the runtime said answered, or null when no event named one. */
    public String model() {
        return model;
    }

    /** The finish reasons seen so far, in order; empty when none. */
    public List<String> finishReasons() {
        return reasons;
    }
}
