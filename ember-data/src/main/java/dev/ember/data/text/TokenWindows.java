package dev.ember.data.text;

import dev.ember.Tensor;
import dev.ember.data.Batch;
import dev.ember.data.BatchedDataset;
import dev.ember.data.EpochAware;
import dev.ember.data.Example;
import java.util.SplittableRandom;

/**
 * Windows of a token stream for next-token prediction: example {@code i} is {@code ids[s .. s + length)} as input
 * and {@code ids[s + 1 .. s + length]} as target (INT64 {@code [length]} each).
 *
 * <p>{@link #random} draws each window's start uniformly from its own seeded stream of {@code (seed, epoch, i)}, so
 * an "epoch" is a fixed number of random windows, different each epoch and the same on every run and after a
 * resume. {@link #evenlySpaced} covers a validation text with windows spread evenly over it.
 */
public final class TokenWindows implements BatchedDataset, EpochAware {
    private final int[] ids;
    private final int length, count;
    private final long seed;
    private final int[] fixedStarts;
    private int epoch;

    private TokenWindows(int[] ids, int length, int count, long seed, int[] fixedStarts) {
        check(ids, length, count);
        this.ids = ids;
        this.length = length;
        this.count = count;
        this.seed = seed;
        this.fixedStarts = fixedStarts;
    }

    private static void check(int[] ids, int length, int count) {
        if (length <= 0) throw new IllegalArgumentException("TokenWindows: window length must be positive, got " + length);
        if (count <= 0) throw new IllegalArgumentException("TokenWindows: the number of windows must be positive, got " + count);
        if (ids.length < length + 1)
            throw new IllegalArgumentException("TokenWindows: the text has " + ids.length + " tokens, fewer than one window of "
                    + length + " plus its target");
    }

    /** {@code count} random windows per epoch. */
    public static TokenWindows random(int[] ids, int length, int count, long seed) {
        return new TokenWindows(ids, length, count, seed, null);
    }

    /** {@code count} windows starting at {@code j * ((n - length - 1) / (count - 1))}, as the PyTorch script's validation. */
    public static TokenWindows evenlySpaced(int[] ids, int length, int count) {
        check(ids, length, count);
        int span = ids.length - length - 1;
        int stride = span / Math.max(1, count - 1);
        int[] starts = new int[count];
        for (int j = 0; j < count; j++) starts[j] = Math.min(span, j * stride);
        return new TokenWindows(ids, length, count, 0, starts);
    }

    /** The start of window {@code index} in the current epoch. */
    public int start(int index) {
        if (fixedStarts != null) return fixedStarts[index];
        long mix = seed * 0x9E3779B97F4A7C15L + (long) epoch * 0xBF58476D1CE4E5B9L + index;
        return new SplittableRandom(mix).nextInt(ids.length - length);
    }

    /** The loader's epoch; a resumed Trainer continues the count ({@code DataLoader.setNextEpoch}), so windows repeat. */
    @Override
    public void setEpoch(int epoch) { this.epoch = epoch; }

    @Override
    public int size() { return count; }

    @Override
    public Example get(int index) {
        Batch b = getBatch(new int[]{index});
        return new Example(b.inputs().select(0, 0), b.targets().select(0, 0));
    }

    @Override
    public Batch getBatch(int[] indices) {
        long[] x = new long[indices.length * length], y = new long[indices.length * length];
        for (int r = 0; r < indices.length; r++) {
            if (indices[r] < 0 || indices[r] >= count)
                throw new IndexOutOfBoundsException("TokenWindows: index " + indices[r] + " out of range for size " + count);
            int s = start(indices[r]);
            for (int t = 0; t < length; t++) {
                x[r * length + t] = ids[s + t];
                y[r * length + t] = ids[s + t + 1];
            }
        }
        return new Batch(Tensor.of(x, indices.length, length), Tensor.of(y, indices.length, length));
    }
}
