package dev.sluice.translate;

/**
 * The client's tool behind a chat function name: what a call of that function becomes in the Response.
 *
 * @param namespace the {@code namespace} group the tool came from, or null for a top-level tool
 */
public record ResponsesToolRef(Kind kind, String namespace, String name) {
    public enum Kind {
        /** A {@code function} tool: the call is a {@code function_call} with JSON {@code arguments}. */
        FUNCTION,
        /** A {@code custom} (freeform) tool: the call is a {@code custom_tool_call} with raw {@code input}. */
        CUSTOM
    }
}
