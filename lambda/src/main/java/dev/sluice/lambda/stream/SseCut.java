package dev.sluice.lambda.stream;

/** Holds back a partial SSE event so a cap never cuts one in half; other bodies pass straight through. */
final class SseCut {
    private final boolean sse;
    private byte[] held = new byte[0];

    SseCut(boolean sse) {
        this.sse = sse;
    }

    byte[] add(byte[] buf, int n) {
        byte[] all = new byte[held.length + n];
        System.arraycopy(held, 0, all, 0, held.length);
        System.arraycopy(buf, 0, all, held.length, n);
        if (!sse) {
            held = new byte[0];
            return all;
        }
        int end = -1;
        for (int i = all.length - 2; i >= 0; i--) {
            if (all[i] == '\n' && all[i + 1] == '\n') {
                end = i + 2;
                break;
            }
        }
        if (end < 0) {
            held = all;
            return new byte[0];
        }
        held = java.util.Arrays.copyOfRange(all, end, all.length);
        return java.util.Arrays.copyOf(all, end);
    }

    byte[] rest() {
        byte[] r = held;
        held = new byte[0];
        return r;
    }
}
