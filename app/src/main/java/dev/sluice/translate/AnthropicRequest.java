package dev.sluice.translate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * An Anthropic Messages request translated for an OpenAI-compatible backend.
 *
 * @param openAi the chat-completions body to send upstream
 * @param clientModel the model name the client sent, echoed in responses
 * @param toolNames upstream tool name to the client's name, for names that had to be shortened
 * @param stopSequences the client's stop sequences, to report which one matched
 * @param estimatedInputTokens chars/4 estimate, for message_start before the backend reports usage
 * @param droppedTools the server tools ({@code web_search_20250305}, ...) left out because only the real
 *     Anthropic API runs them
 * @param mintToolIds the runtime's tool-call ids repeat (TGI's {@code "0"}): every id the client sees is minted
 */
public record AnthropicRequest(ObjectNode openAi, String clientModel, boolean stream, Map<String, String> toolNames,
        List<String> stopSequences, long estimatedInputTokens, int maxTokens, List<String> droppedTools,
        boolean mintToolIds) {}
