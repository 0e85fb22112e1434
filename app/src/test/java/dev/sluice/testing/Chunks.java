package dev.sluice.testing;

/** Small OpenAI request bodies and stream chunks the tests use again and again. */
public final class Chunks {
    private Chunks() {}

    /** {@code {"model":"m",["stream":true,]"messages":[{"role":"user","content":"hi"}]}} */
    public static String chatRequest(boolean stream) {
        return "{\"model\":\"m\"," + (stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    /** A content delta chunk, minimal fields. */
    public static String delta(String id, String content) {
        return "{\"id\":\"" + id + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"}}]}";
    }

    /** The finishing chunk: empty delta, {@code finish_reason: stop}. */
    public static String stop(String id) {
        return "{\"id\":\"" + id + "\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
    }
}
