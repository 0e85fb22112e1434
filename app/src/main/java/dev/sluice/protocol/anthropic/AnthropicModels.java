package dev.sluice.protocol.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;
import java.time.Instant;

/**
 * Model listings in Anthropic's shape, chosen when the request carries {@code anthropic-version}, which
 * Anthropic SDKs always send and OpenAI SDKs never do (protocols.md §1.12).
 */
public final class AnthropicModels {
    private AnthropicModels() {}

    public static ObjectNode model(String id, long createdEpochSeconds) {
        ObjectNode m = Json.object();
        m.put("type", "model");
        m.put("id", id);
        m.put("display_name", id);
        m.put("created_at", Instant.ofEpochSecond(createdEpochSeconds).toString());
        return m;
    }

    /** Converts an OpenAI model list ({@code data[].id}, {@code created}) into one Anthropic page. */
    public static ObjectNode page(JsonNode openAiList) {
        ObjectNode page = Json.object();
        ArrayNode data = page.putArray("data");
        for (JsonNode m : openAiList.path("data")) {
            String id = Json.text(m, "id");
            if (id != null) {
                data.add(model(id, m.path("created").asLong(0)));
            }
        }
        page.put("has_more", false);
        if (data.isEmpty()) {
            page.putNull("first_id");
            page.putNull("last_id");
        } else {
            page.put("first_id", data.get(0).path("id").asText());
            page.put("last_id", data.get(data.size() - 1).path("id").asText());
        }
        return page;
    }
}
