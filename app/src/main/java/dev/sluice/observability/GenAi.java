package dev.sluice.observability;

/**
 * Names from the OpenTelemetry GenAI semantic conventions, and the operation each generative route performs.
 * Shared by the spans and the {@code gen_ai.*} metrics so both speak of the same operation.
 */
public final class GenAi {
    public static final String OPERATION = "gen_ai.operation.name";
    public static final String REQUEST_MODEL = "gen_ai.request.model";
    public static final String RESPONSE_MODEL = "gen_ai.response.model";
    public static final String PROVIDER = "gen_ai.provider.name";
    /** The older name of {@link #PROVIDER}; backends that still read it see the same value. */
    public static final String SYSTEM = "gen_ai.system";
    public static final String INPUT_TOKENS = "gen_ai.usage.input_tokens";
    public static final String OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
    public static final String FINISH_REASONS = "gen_ai.response.finish_reasons";
    public static final String TOKEN_TYPE = "gen_ai.token.type";

    private GenAi() {}

    /**
     * The GenAI operation of a route template, or null for routes that run no model (model lists, token
     * counts, stored responses): those get no {@code gen_ai.*} metrics.
     */
    public static String operation(String route) {
        return switch (route) {
            case "/v1/chat/completions", "/v1/messages", "/v1/responses", "/v1/responses/compact" -> "chat";
            case "/v1/completions" -> "text_completion";
            case "/v1/embeddings" -> "embeddings";
            default -> null;
        };
    }
}
