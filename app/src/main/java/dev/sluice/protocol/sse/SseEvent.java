package dev.sluice.protocol.sse;

import java.nio.charset.StandardCharsets;

/**
 * One server-sent event as it arrived: {@code raw} holds its exact bytes, blank line included, so a
 * pass-through can forward it byte for byte.
 *
 * @param event the {@code event:} field, or null
 * @param data the {@code data:} lines joined with {@code \n}, or null when the event had none (a comment)
 */
public record SseEvent(byte[] raw, String event, String data) {

    public boolean isComment() {
        return data == null && event == null;
    }

    /**
     * A {@code data:} line with nothing in it: no runtime means anything by it, and no client can parse it
     * (the OpenAI SDKs would fail on {@code json.loads("")}), so it is dropped, never forwarded or failed on.
     */
    public boolean hasBlankData() {
        return data != null && data.isBlank();
    }

    public boolean isDone() {
        return "[DONE]".equals(data);
    }

    /** Frames one event the way both OpenAI and Anthropic write it: optional event line, one data line. */
    public static byte[] encode(String event, String data) {
        StringBuilder sb = new StringBuilder(data.length() + 32);
        if (event != null) {
            sb.append("event: ").append(event).append('\n');
        }
        sb.append("data: ").append(data).append("\n\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] comment(String text) {
        return (": " + text + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
