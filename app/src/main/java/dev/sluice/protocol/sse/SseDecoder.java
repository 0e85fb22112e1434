package dev.sluice.protocol.sse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Incremental SSE parser (WHATWG event-stream rules): accepts bytes split anywhere, LF, CRLF or CR line
 * ends, multi-line {@code data:}, comments. Not thread-safe; one instance per response.
 */
public final class SseDecoder {
    public static final int DEFAULT_MAX_EVENT_BYTES = 8 << 20;
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final int maxEventBytes;
    private byte[] buf = new byte[2048];
    private int len;
    private int scan;
    private int lineStart;
    private String eventName;
    /** The event's data while it has one line (nearly always); {@link #moreData} only once a second line comes. */
    private String data;
    private StringBuilder moreData;
    private boolean sawField;
    private boolean eof;
    private boolean bomChecked;

    public SseDecoder() {
        this(DEFAULT_MAX_EVENT_BYTES);
    }

    public SseDecoder(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    /** Thrown when one event exceeds the size cap: an upstream that never ends its event is broken or hostile. */
    public static final class EventTooLargeException extends RuntimeException {
        EventTooLargeException(int limit) {
            super("upstream sent a server-sent event larger than " + limit + " bytes", null, false, false);
        }
    }

    public void feed(byte[] bytes, int off, int n, List<SseEvent> out) {
        ensure(len + n);
        System.arraycopy(bytes, off, buf, len, n);
        len += n;
        if (!bomChecked && !skipBom()) {
            return;
        }
        parse(out);
    }

    /**
     * A UTF-8 byte order mark at the very start of the stream is not part of the first field's name (WHATWG
     * event-stream: "one leading U+FEFF is ignored"); kept, it would hide the first event. False while the bytes
     * so far could still be the start of one.
     */
    private boolean skipBom() {
        int k = Math.min(len, BOM.length);
        for (int i = 0; i < k; i++) {
            if (buf[i] != BOM[i]) {
                bomChecked = true;
                return true;
            }
        }
        if (len < BOM.length) {
            return false;
        }
        System.arraycopy(buf, BOM.length, buf, 0, len - BOM.length);
        len -= BOM.length;
        bomChecked = true;
        return true;
    }

    public void feed(byte[] bytes, List<SseEvent> out) {
        feed(bytes, 0, bytes.length, out);
    }

    /**
     * The stream ended: a CR held back as a possible first half of CRLF is a line end after all, so an
     * event ended by CR-only line ends is not lost. An event without its blank line stays discarded.
     */
    public void finish(List<SseEvent> out) {
        if (len > 0 && buf[len - 1] == '\r') {
            eof = true;
            parse(out);
        }
    }

    /** True when bytes of an unfinished event are buffered (a stream that ends here was cut mid-event). */
    public boolean hasPartialEvent() {
        for (int i = 0; i < len; i++) {
            byte b = buf[i];
            if (b != '\n' && b != '\r' && b != ' ') {
                return true;
            }
        }
        return false;
    }

    private void parse(List<SseEvent> out) {
        int eventStart = 0;
        int i = scan;
        while (i < len) {
            byte c = buf[i];
            int next;
            if (c == '\n') {
                next = i + 1;
            } else if (c == '\r') {
                if (i + 1 >= len && !eof) {
                    break; // a CR at the end may be the first half of CRLF: wait for more bytes
                }
                next = i + 1 < len && buf[i + 1] == '\n' ? i + 2 : i + 1;
            } else {
                i++;
                continue;
            }
            if (i == lineStart) {
                if (next - eventStart > maxEventBytes) {
                    // checked here too: an event that arrived whole in one chunk never sat in the buffer
                    throw new EventTooLargeException(maxEventBytes);
                }
                if (sawField) {
                    byte[] raw = Arrays.copyOfRange(buf, eventStart, next);
                    out.add(new SseEvent(raw, eventName, moreData != null ? moreData.toString() : data));
                }
                eventStart = next;
                resetEvent();
            } else {
                field(lineStart, i);
            }
            lineStart = next;
            i = next;
        }
        if (eventStart > 0) {
            System.arraycopy(buf, eventStart, buf, 0, len - eventStart);
            len -= eventStart;
            lineStart -= eventStart;
            i -= eventStart;
        }
        scan = i;
        if (len > maxEventBytes) {
            throw new EventTooLargeException(maxEventBytes);
        }
    }

    private void field(int start, int end) {
        sawField = true;
        if (buf[start] == ':') {
            return; // comment
        }
        int colon = -1;
        for (int j = start; j < end; j++) {
            if (buf[j] == ':') {
                colon = j;
                break;
            }
        }
        int nameEnd = colon < 0 ? end : colon;
        int valueStart = colon < 0 ? end : colon + 1;
        if (valueStart < end && buf[valueStart] == ' ') {
            valueStart++;
        }
        if (is(start, nameEnd, "data")) {
            String v = new String(buf, valueStart, end - valueStart, StandardCharsets.UTF_8);
            if (data == null) {
                data = v;
            } else {
                if (moreData == null) {
                    moreData = new StringBuilder(data);
                }
                moreData.append('\n').append(v);
            }
        } else if (is(start, nameEnd, "event")) {
            eventName = new String(buf, valueStart, end - valueStart, StandardCharsets.UTF_8);
        }
    }

    private boolean is(int start, int end, String name) {
        if (end - start != name.length()) {
            return false;
        }
        for (int k = 0; k < name.length(); k++) {
            if (buf[start + k] != name.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private void resetEvent() {
        eventName = null;
        data = null;
        moreData = null;
        sawField = false;
    }

    private void ensure(int cap) {
        if (cap > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(cap, buf.length * 2));
        }
    }
}
