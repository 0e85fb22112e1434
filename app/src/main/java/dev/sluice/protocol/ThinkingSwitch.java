package dev.sluice.protocol;

/** How a runtime's chat API turns a model's reasoning on or off, if it has a portable way at all. */
public enum ThinkingSwitch {
    /** Qwen3-style chat templates read {@code chat_template_kwargs.enable_thinking} (vLLM, SGLang, llama.cpp). */
    TEMPLATE_KWARGS,
    /** {@code reasoning_effort} low / medium / high (Ollama, OpenAI-compatible APIs). */
    REASONING_EFFORT,
    /** No portable switch: the model reasons or not as its template decides. */
    NONE
}
