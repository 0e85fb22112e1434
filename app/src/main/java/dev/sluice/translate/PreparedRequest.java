package dev.sluice.translate;

/**
 * A client request made ready for the backend.
 *
 * @param body the bytes to send upstream (the client's own bytes when nothing had to change)
 * @param clientModel the model the client asked for, echoed back to it
 * @param rewriteModelTo model name to restore in responses, or null when the backend saw the client's name
 * @param clientWantsUsage the client asked for {@code stream_options.include_usage}
 * @param base64Embeddings the client asked for base64 embeddings the backend cannot produce: convert floats
 * @param toolIdSeed where the runtime's tool-call ids repeat (TGI), the seed of the ids minted for this response;
 *     null to pass the runtime's ids on
 */
public record PreparedRequest(byte[] body, boolean stream, String clientModel, String rewriteModelTo,
        boolean clientWantsUsage, boolean base64Embeddings, String toolIdSeed) {

    public PreparedRequest(byte[] body, boolean stream, String clientModel, String rewriteModelTo,
            boolean clientWantsUsage, boolean base64Embeddings) {
        this(body, stream, clientModel, rewriteModelTo, clientWantsUsage, base64Embeddings, null);
    }
}
