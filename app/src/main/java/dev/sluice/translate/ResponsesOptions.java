package dev.sluice.translate;

/**
 * What the chat runtime behind a Responses client can take, as capability flags (responses-api.md §2). The
 * integrator derives them from the backend's profile; nothing here names a runtime.
 *
 * @param replayReasoning send earlier {@code reasoning} items back as {@code reasoning_content} on the next
 *     assistant message (chat templates that render past thinking, vllm#33616); otherwise they are dropped
 * @param maxTokensField which chat field carries {@code max_output_tokens}: local runtimes read
 *     {@code max_tokens} (Ollama only that one), OpenAI wants {@code max_completion_tokens}
 * @param reasoningEffort the runtime takes {@code reasoning_effort}
 * @param toolChoice the runtime honours {@code tool_choice}; without it (Ollama) the field is left out, and
 *     {@code "none"} is honoured by sending no tools
 * @param strictTools forward a function tool's {@code strict}
 * @param openAiOnlyFields forward {@code user}, {@code safety_identifier} and {@code prompt_cache_key}, which only
 *     OpenAI itself reads (local runtimes ignore or log them)
 * @param laterSystemMessages a system/developer message after the first turn may stay {@code system}; otherwise it
 *     goes as {@code user}, because many chat templates take one system message, at index 0 only
 * @param toolImages tool messages may carry {@code image_url} parts; otherwise images a tool returned go in a
 *     {@code user} message after the run of tool messages (OpenAI and vLLM take only text there, vllm#25001)
 * @param fileParts {@code input_file} becomes a chat {@code file} part (OpenAI); otherwise it is refused
 * @param splitThinkTags a {@code <think>…</think>} at the start of the content is reasoning (templates without a
 *     reasoning parser, llama.cpp#13867)
 */
public record ResponsesOptions(
        boolean replayReasoning,
        MaxTokensField maxTokensField,
        boolean reasoningEffort,
        boolean toolChoice,
        boolean strictTools,
        boolean openAiOnlyFields,
        boolean laterSystemMessages,
        boolean toolImages,
        boolean fileParts,
        boolean splitThinkTags) {

    public enum MaxTokensField {
        MAX_TOKENS("max_tokens"), MAX_COMPLETION_TOKENS("max_completion_tokens");

        private final String field;

        MaxTokensField(String field) {
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    public ResponsesOptions {
        java.util.Objects.requireNonNull(maxTokensField, "maxTokensField");
    }

    /** A local OpenAI-compatible runtime (vLLM, llama.cpp, SGLang, TGI, LocalAI...). */
    public static ResponsesOptions local() {
        return new ResponsesOptions(false, MaxTokensField.MAX_TOKENS, true, true, true, false, false, false, false,
                true);
    }

    /** OpenAI's own chat completions API. */
    public static ResponsesOptions openAi() {
        return new ResponsesOptions(false, MaxTokensField.MAX_COMPLETION_TOKENS, true, true, true, true, true, false,
                true, false);
    }

    public ResponsesOptions withReplayReasoning(boolean on) {
        return new ResponsesOptions(on, maxTokensField, reasoningEffort, toolChoice, strictTools, openAiOnlyFields,
                laterSystemMessages, toolImages, fileParts, splitThinkTags);
    }

    public ResponsesOptions withToolChoice(boolean on) {
        return new ResponsesOptions(replayReasoning, maxTokensField, reasoningEffort, on, strictTools,
                openAiOnlyFields, laterSystemMessages, toolImages, fileParts, splitThinkTags);
    }

    public ResponsesOptions withToolImages(boolean on) {
        return new ResponsesOptions(replayReasoning, maxTokensField, reasoningEffort, toolChoice, strictTools,
                openAiOnlyFields, laterSystemMessages, on, fileParts, splitThinkTags);
    }

    public ResponsesOptions withSplitThinkTags(boolean on) {
        return new ResponsesOptions(replayReasoning, maxTokensField, reasoningEffort, toolChoice, strictTools,
                openAiOnlyFields, laterSystemMessages, toolImages, fileParts, on);
    }
}
