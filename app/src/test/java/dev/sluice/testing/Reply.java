package dev.sluice.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * One scripted answer of a {@link FakeRuntime}: a whole body, an event stream written step by step, or
 * silence. Build with the static factories; a reply is used once.
 */
public sealed interface Reply {

    /** A complete body with a Content-Length. */
    record Body(int status, String contentType, byte[] body, Map<String, String> headers, Duration delay,
            int cutAt) implements Reply {
        public Body(int status, String contentType, byte[] body, Map<String, String> headers, Duration delay) {
            this(status, contentType, body, headers, delay, -1);
        }

        public Body header(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Body(status, contentType, body, h, delay, cutAt);
        }

        /** Waits this long after reading the request before answering. */
        public Body after(Duration d) {
            return new Body(status, contentType, body, headers, d, cutAt);
        }

        /** Answers in full on a keep-alive connection, then closes it: a runtime that drops idle connections. */
        public ThenClose thenClose() {
            return new ThenClose(this);
        }

        /** Declares the full Content-Length but closes the socket after {@code n} bytes of the body. */
        public Body cutAt(int n) {
            return new Body(status, contentType, body, headers, delay, n);
        }
    }

    /** Reads the request and never answers; the connection stays open until the gateway closes it. */
    record Hang() implements Reply {}

    /** Reads the request, then closes the connection without a byte of answer: a runtime that died on it. */
    record HangUp() implements Reply {}

    /** {@link Body#thenClose()}. */
    record ThenClose(Body body) implements Reply {}

    /** A body in the fake's own dialect's error shape (protocols.md §4.4), resolved when served. */
    record DialectError(int status, String message, String type, Map<String, String> headers) implements Reply {
        public DialectError header(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new DialectError(status, message, type, h);
        }
    }

    static Body json(int status, String json) {
        return new Body(status, "application/json", json.getBytes(StandardCharsets.UTF_8), Map.of(), Duration.ZERO);
    }

    static Body json(String json) {
        return json(200, json);
    }

    /** A recorded {@code .json} fixture, verbatim. */
    static Body fixture(int status, String name) {
        return new Body(status, "application/json", Fixtures.bytes(name), Map.of(), Duration.ZERO);
    }

    static Body fixture(String name) {
        return fixture(200, name);
    }

    static Body text(int status, String text) {
        return new Body(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), Map.of(),
                Duration.ZERO);
    }

    static Hang hang() {
        return new Hang();
    }

    static HangUp hangUp() {
        return new HangUp();
    }

    static DialectError error(int status, String message, String type) {
        return new DialectError(status, message, type, Map.of());
    }

    static Sse sse() {
        return new Sse();
    }

    /** A recorded {@code .sse} fixture, one chunk per event; {@code data: [DONE]} is appended when missing. */
    static Sse sseFixture(String name) {
        Sse s = new Sse();
        for (byte[] e : Fixtures.events(name)) {
            s.raw(e);
        }
        return s;
    }

    /**
     * An event stream: {@code 200 text/event-stream}, chunked, each event its own flushed chunk. Unless told
     * otherwise it ends with {@code data: [DONE]} (added only when the script lacks one) and the last chunk.
     */
    final class Sse implements Reply {
        sealed interface Step {}

        record Send(byte[] bytes) implements Step {}

        record Pause(Duration d) implements Step {}

        record Await(CountDownLatch latch) implements Step {}

        /** Bytes written to the socket as they are, outside the chunked framing: a runtime sending garbage. */
        record Garbage(byte[] bytes) implements Step {}

        final List<Step> steps = new ArrayList<>();
        Duration headerDelay = Duration.ZERO;
        Duration eventDelay = Duration.ZERO;
        int cutAfter = -1;
        int stallAfter = -1;
        int resetAfter = -1;
        boolean appendDone = true;

        /** One event, {@code data: <json>} plus the blank line. */
        public Sse data(String json) {
            return raw(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        }

        /** Exact event bytes (must include the terminating blank line). */
        public Sse raw(byte[] event) {
            steps.add(new Send(event));
            return this;
        }

        public Sse raw(String event) {
            return raw(event.getBytes(StandardCharsets.UTF_8));
        }

        /** Waits between two steps. */
        public Sse pause(Duration d) {
            steps.add(new Pause(d));
            return this;
        }

        /** Waits until the test opens the latch (or the gateway closes the connection). */
        public Sse await(CountDownLatch latch) {
            steps.add(new Await(latch));
            return this;
        }

        /** Waits this long before each event. */
        public Sse eventDelay(Duration d) {
            this.eventDelay = d;
            return this;
        }

        /** Waits this long before sending the response head. */
        public Sse headerDelay(Duration d) {
            this.headerDelay = d;
            return this;
        }

        /** Closes the socket after {@code n} events, without the terminating chunk: a runtime that crashed. */
        public Sse cutAfter(int n) {
            this.cutAfter = n;
            return this;
        }

        /** Resets the connection (TCP RST, SO_LINGER 0) after {@code n} events: a runtime whose socket was torn down. */
        public Sse resetAfter(int n) {
            this.resetAfter = n;
            return this;
        }

        /** Writes {@code bytes} raw, breaking the chunked framing (see {@link Garbage}). */
        public Sse garbage(byte[] bytes) {
            steps.add(new Garbage(bytes));
            return this;
        }

        /** Sends {@code n} events, then nothing more while keeping the connection open: a wedged runtime. */
        public Sse stallAfter(int n) {
            this.stallAfter = n;
            return this;
        }

        /** Ends the body without appending {@code data: [DONE]}. */
        public Sse withoutDone() {
            this.appendDone = false;
            return this;
        }

        /** The events the script sends, [DONE] included where it will be appended. */
        public List<byte[]> events() {
            List<byte[]> out = new ArrayList<>();
            for (Step s : steps) {
                if (s instanceof Send send) {
                    out.add(send.bytes());
                }
            }
            if (appendDone && cutAfter < 0 && stallAfter < 0 && resetAfter < 0 && !endsWithDone(out)) {
                out.add(FakeRuntime.DONE);
            }
            return out;
        }

        private static boolean endsWithDone(List<byte[]> events) {
            return !events.isEmpty()
                    && new String(events.get(events.size() - 1), StandardCharsets.UTF_8).strip().equals("data: [DONE]");
        }
    }
}
