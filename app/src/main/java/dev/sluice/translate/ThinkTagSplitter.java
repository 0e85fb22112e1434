package dev.sluice.translate;

import java.util.function.Consumer;

/**
 * Splits inline {@code <think>…</think>} out of streamed content, across chunk boundaries. Models served
 * without a reasoning parser put their thoughts in the content this way (llama.cpp#13867, vLLM without
 * --reasoning-parser). Only a think tag at the very start of the answer is treated as reasoning.
 */
final class ThinkTagSplitter {
    private static final String OPEN = "<think>";
    private static final String CLOSE = "</think>";

    private enum State { UNDECIDED, THINKING, TEXT }

    /** A whole answer's content, split: the reasoning (empty when none) and the rest. */
    record Split(String thinking, String text) {}

    /**
     * The same rule for a whole (non-streamed) answer as for a stream: a {@code <think>} after optional leading
     * whitespace opens reasoning, which runs to {@code </think>} or, when that never comes (the answer was cut
     * at max_tokens mid-thought), to the end.
     */
    static Split splitWhole(String content) {
        StringBuilder thinking = new StringBuilder();
        StringBuilder text = new StringBuilder();
        ThinkTagSplitter splitter = new ThinkTagSplitter();
        splitter.split(content, thinking::append, text::append);
        splitter.flush(thinking::append, text::append);
        return new Split(thinking.toString(), text.toString());
    }

    private State state = State.UNDECIDED;
    private final StringBuilder held = new StringBuilder();

    void split(String chunk, Consumer<String> thinking, Consumer<String> text) {
        if (state == State.TEXT) {
            text.accept(chunk);
            return;
        }
        held.append(chunk);
        if (state == State.UNDECIDED) {
            String h = held.toString();
            String trimmed = h.stripLeading();
            if (trimmed.length() < OPEN.length() && OPEN.startsWith(trimmed)) {
                return; // could still become "<think>"
            }
            if (!trimmed.startsWith(OPEN)) {
                state = State.TEXT;
                held.setLength(0);
                text.accept(h);
                return;
            }
            state = State.THINKING;
            held.setLength(0);
            held.append(trimmed.substring(OPEN.length()));
        }
        String h = held.toString();
        int end = h.indexOf(CLOSE);
        if (end >= 0) {
            if (end > 0) {
                thinking.accept(h.substring(0, end));
            }
            state = State.TEXT;
            held.setLength(0);
            String rest = h.substring(end + CLOSE.length()).stripLeading();
            if (!rest.isEmpty()) {
                text.accept(rest);
            }
            return;
        }
        int keep = partialSuffix(h);
        if (h.length() - keep > 0) {
            thinking.accept(h.substring(0, h.length() - keep));
        }
        held.setLength(0);
        held.append(h, h.length() - keep, h.length());
    }

    /** Emits whatever is held at the end of the stream. */
    void flush(Consumer<String> thinking, Consumer<String> text) {
        if (held.isEmpty()) {
            return;
        }
        if (state == State.THINKING) {
            thinking.accept(held.toString());
        } else {
            text.accept(held.toString());
        }
        held.setLength(0);
    }

    /** Length of the longest suffix of {@code s} that is a prefix of {@code </think>}. */
    private static int partialSuffix(String s) {
        for (int k = Math.min(CLOSE.length() - 1, s.length()); k > 0; k--) {
            if (CLOSE.startsWith(s.substring(s.length() - k))) {
                return k;
            }
        }
        return 0;
    }
}
