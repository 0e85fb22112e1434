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

    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    /**
     * {@link #encode(String, String)} for data already serialized as UTF-8 JSON: a translated stream frames every
     * event it makes, and serializing to bytes directly skips a string and its copy (docs/PERFORMANCE.md).
     */
    public static byte[] encode(String event, byte[] json) {
        if (event != null && !event.chars().allMatch(c -> c < 0x80)) {
            return encode(event, new String(json, StandardCharsets.UTF_8));
        }
        int eventLength = event == null ? 0 : EVENT.length + event.length() + 1;
        byte[] out = new byte[eventLength + DATA.length + json.length + 2];
        int at = 0;
        if (event != null) {
            System.arraycopy(EVENT, 0, out, 0, EVENT.length);
            at = EVENT.length;
            for (int i = 0; i < event.length(); i++) {
                out[at++] = (byte) event.charAt(i);
            }
            out[at++] = '\n';
        }
        System.arraycopy(DATA, 0, out, at, DATA.length);
        at += DATA.length;
        System.arraycopy(json, 0, out, at, json.length);
        at += json.length;
        out[at++] = '\n';
        out[at] = '\n';
        return out;
    }

    public static byte[] comment(String text) {
        return (": " + text + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
