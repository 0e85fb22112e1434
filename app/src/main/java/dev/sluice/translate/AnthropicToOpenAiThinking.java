package dev.sluice.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.protocol.Json;

/**
 * Anthropic {@code thinking} and {@code output_config.effort} as the runtime's reasoning switch: chat-template
 * kwargs (vLLM, SGLang, llama.cpp) or {@code reasoning_effort} (Ollama, OpenAI); none where the runtime has none.
 */
final class AnthropicToOpenAiThinking {
    private AnthropicToOpenAiThinking() {}

    /** Sets the runtime's own switch on {@code out} ({@link ChatTarget#thinking()}), when the request asks. */
    static void translate(JsonNode req, ObjectNode out, ChatTarget profile) {
        String type = Json.text(req.path("thinking"), "type");
        String effort = Json.text(req.path("output_config"), "effort");
        if (type == null && effort == null) {
            return;
        }
        boolean on = !"disabled".equals(type);
        switch (profile.thinking()) {
            case TEMPLATE_KWARGS -> {
                if (type != null) {
                    out.putObject("chat_template_kwargs").put("enable_thinking", on);
                }
            }
            case REASONING_EFFORT -> {
                if (effort != null && on) {
                    // output_config.effort says it directly; Anthropic's "max" is OpenAI's "high"
                    out.put("reasoning_effort", switch (effort) {
                        case "low", "medium", "high" -> effort;
                        case "max" -> "high";
                        default -> "medium";
                    });
                } else if (type != null && on) {
                    int budget = req.path("thinking").path("budget_tokens").asInt(4096);
                    out.put("reasoning_effort", budget <= 2048 ? "low" : budget <= 8192 ? "medium" : "high");
                }
            }
            case NONE -> {
                // no portable switch: the model reasons or not as its template decides
            }
        }
    }
}
