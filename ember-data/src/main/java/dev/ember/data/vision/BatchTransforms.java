package dev.ember.data.vision;

import dev.ember.DType;
import dev.ember.Generator;
import dev.ember.Tensor;
import java.util.Arrays;

/**
 * Per-sample random augmentation of a whole batch {@code [N, C, H, W]} with tensor ops
 * ({@code cat}, {@code gather}), so it runs where the batch lives, e.g. on the GPU after
 * {@link dev.ember.data.Batch#to}, instead of image by image on the loader threads. Each sample
 * draws its own offsets / flip from the generator, in sample order.
 */
public final class BatchTransforms {
    private BatchTransforms() {}

    /**
     * {@link RandomCrop} on every sample: zero-pad by {@code padding}, then a {@code size x size}
     * window at per-sample offsets (top then left, each uniform).
     * {@code [N, C, H, W] -> [N, C, size, size]}.
     */
    public static Tensor randomCrop(Tensor batch, int size, int padding, Generator random) {
        check(batch, "BatchTransforms.randomCrop");
        long[] s = batch.shape();
        int n = (int) s[0], c = (int) s[1], h = (int) s[2] + 2 * padding, w = (int) s[3] + 2 * padding;
        if (size <= 0 || padding < 0 || size > h || size > w)
            throw new IllegalArgumentException("BatchTransforms.randomCrop: crop " + size + " with padding " + padding + " does not fit " + Arrays.toString(s));
        Tensor padded = padding == 0 ? batch : pad(batch, padding);
        long[] rows = new long[n * size], cols = new long[n * size];
        for (int i = 0; i < n; i++) {
            int top = random.nextInt(h - size + 1), left = random.nextInt(w - size + 1);
            for (int k = 0; k < size; k++) { rows[i * size + k] = top + k; cols[i * size + k] = left + k; }
        }
        Tensor rowIndex = Tensor.of(rows, n, 1, size, 1).to(batch.device()).expand(n, c, size, w);
        Tensor cropRows = padded.gather(2, rowIndex);
        Tensor colIndex = Tensor.of(cols, n, 1, 1, size).to(batch.device()).expand(n, c, size, size);
        return cropRows.gather(3, colIndex);
    }

    /** Mirrors each sample left-right with probability {@code p}, independently. {@code [N, C, H, W] -> [N, C, H, W]}. */
    public static Tensor randomHorizontalFlip(Tensor batch, double p, Generator random) {
        check(batch, "BatchTransforms.randomHorizontalFlip");
        long[] s = batch.shape();
        int n = (int) s[0], w = (int) s[3];
        long[] cols = new long[n * w];
        for (int i = 0; i < n; i++) {
            boolean flip = random.nextDouble() < p;
            for (int x = 0; x < w; x++) cols[i * w + x] = flip ? w - 1 - x : x;
        }
        return batch.gather(3, Tensor.of(cols, n, 1, 1, w).to(batch.device()).expand(s));
    }

    private static Tensor pad(Tensor batch, int p) {
        long[] s = batch.shape();
        Tensor side = Tensor.zeros(batch.dtype(), s[0], s[1], s[2], p).to(batch.device());
        Tensor wide = Tensor.cat(3, side, batch, side);
        Tensor band = Tensor.zeros(batch.dtype(), s[0], s[1], p, s[3] + 2L * p).to(batch.device());
        return Tensor.cat(2, band, wide, band);
    }

    private static void check(Tensor batch, String op) {
        if (batch.dim() != 4) throw new IllegalArgumentException(op + ": expected a batch [N, C, H, W], got " + Arrays.toString(batch.shape()));
        if (!batch.dtype().isFloatingPoint() && batch.dtype() != DType.INT64 && batch.dtype() != DType.INT32)
            throw new IllegalArgumentException(op + ": unsupported dtype " + batch.dtype());
    }
}
