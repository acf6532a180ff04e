package dev.ember.backend;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", 2011),
 * the counter-based generator behind every random op on every backend.
 *
 * <p>Element {@code i} of a random op with {@code (seed, offset)} is computed from block
 * {@code offset + i / 2}: even elements use words 0 and 1, odd elements words 2 and 3.
 * So a result never depends on how the work is split across threads or work-groups,
 * and the GPU kernels reproduce the CPU's numbers exactly (up to float rounding of the
 * transforms). An op on {@code n} elements advances the generator's offset by {@code (n + 1) / 2}.
 */
public final class Philox {
    private Philox() {}

    /** The distributions the backends draw from. */
    public enum Distribution { UNIFORM, NORMAL }

    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /** The four 32-bit words of block {@code counter} under key {@code seed}. */
    public static void block(long seed, long counter, int[] out) {
        int c0 = (int) counter, c1 = (int) (counter >>> 32), c2 = 0, c3 = 0;
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
    }

    /** A uniform double in (0, 1] from two 32-bit words (53 bits), never 0 so its log is finite. */
    public static double unitDouble(int hi, int lo) {
        long bits = ((hi & 0xFFFFFFFFL) << 21) ^ ((lo & 0xFFFFFFFFL) >>> 11);
        return ((bits & ((1L << 53) - 1)) + 1) * 0x1p-53;
    }

    /** Element {@code i} of a random op, as a double. */
    public static double sample(Distribution dist, long seed, long offset, long i, double a, double b, int[] scratch) {
        block(seed, offset + (i >>> 1), scratch);
        return transform(dist, scratch, (int) (i & 1), a, b);
    }

    /** The value for half {@code half} (0 or 1) of a block already computed into {@code words}. */
    public static double transform(Distribution dist, int[] words, int half, double a, double b) {
        return switch (dist) {
            case UNIFORM -> {
                double u = unitDouble(words[2 * half], words[2 * half + 1]) - 0x1p-53; // [0, 1)
                yield a + (b - a) * u;
            }
            case NORMAL -> {
                // Box-Muller: both halves of a block share (u1, u2), one takes cos, the other sin.
                double u1 = unitDouble(words[0], words[1]);
                double u2 = unitDouble(words[2], words[3]);
                // StrictMath: the values a seed gives must not depend on how warm the JIT is.
                double r = Math.sqrt(-2.0 * StrictMath.log(u1));
                double t = 2.0 * Math.PI * u2;
                yield a + b * (half == 0 ? r * StrictMath.cos(t) : r * StrictMath.sin(t));
            }
        };
    }

    /** How far the offset advances for an op on {@code n} elements. */
    public static long advance(long n) { return (n + 1) >>> 1; }
}
