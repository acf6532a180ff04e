package dev.ember;

import dev.ember.backend.Philox;

/**
 * A counter-based random generator: a seed and an offset into the Philox stream.
 * Each random op takes a fresh range of the stream, so sequences do not depend on
 * thread count or device, and the state is two numbers that a checkpoint can save.
 */
public final class Generator {
    static final Generator DEFAULT = new Generator(0x5EEDL);

    private long seed;
    private long offset;

    public Generator(long seed) { this.seed = seed; }

    public synchronized void manualSeed(long seed) {
        this.seed = seed;
        this.offset = 0;
    }

    public synchronized long seed() { return seed; }

    /** The state: {@code {seed, offset}}. */
    public synchronized long[] state() { return new long[]{seed, offset}; }

    /** Restores a state from {@link #state()}. */
    public synchronized void setState(long[] state) {
        if (state.length != 2) throw new IllegalArgumentException("Generator.setState: expected {seed, offset}, got " + state.length + " values");
        seed = state[0];
        offset = state[1];
    }

    /** Reserves the stream range for an op on {@code n} elements and returns its starting offset. */
    synchronized long take(long n) {
        long start = offset;
        offset += Philox.advance(n);
        return start;
    }

    /** A uniform double in [0, 1) from this generator, for host-side sampling (shuffles, augmentation). */
    public double nextDouble() {
        long start = take(2);
        int[] w = new int[4];
        Philox.block(seed, start, w);
        return Philox.transform(Philox.Distribution.UNIFORM, w, 0, 0, 1);
    }

    /** A uniform int in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("nextInt: bound must be positive, got " + bound);
        return (int) Math.min(bound - 1, (long) (nextDouble() * bound));
    }

    /** A random permutation of {@code 0..n-1} (Fisher-Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i]; p[i] = p[j]; p[j] = t;
        }
        return p;
    }
}
