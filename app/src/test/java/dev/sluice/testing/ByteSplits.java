package dev.sluice.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Cuts a byte stream into chunks the way a network might: at chosen, at every, or at seeded random offsets. */
public final class ByteSplits {
    private ByteSplits() {}

    /** One chunk holding everything. */
    public static List<byte[]> whole(byte[] in) {
        return List.of(in.clone());
    }

    /** Chunks ending at each of the given offsets (ascending, within the input). */
    public static List<byte[]> at(byte[] in, int... cuts) {
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            out.add(Arrays.copyOfRange(in, from, cut));
            from = cut;
        }
        out.add(Arrays.copyOfRange(in, from, in.length));
        return out;
    }

    /** One chunk per byte. */
    public static List<byte[]> everyByte(byte[] in) {
        List<byte[]> out = new ArrayList<>(in.length);
        for (byte b : in) {
            out.add(new byte[] {b});
        }
        return out;
    }

    /** Chunks of random length 1..maxChunk, reproducible from the seed; zero-length chunks included now and then. */
    public static List<byte[]> random(byte[] in, long seed, int maxChunk) {
        Random rnd = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        while (from < in.length) {
            if (rnd.nextInt(20) == 0) {
                out.add(new byte[0]); // a read that delivered nothing must change nothing
            }
            int n = Math.min(in.length - from, 1 + rnd.nextInt(maxChunk));
            out.add(Arrays.copyOfRange(in, from, from + n));
            from += n;
        }
        return out;
    }
}
