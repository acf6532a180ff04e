package dev.ember.data.vision;

import dev.ember.Generator;
import dev.ember.Tensor;

/**
 * Mirrors images left-right ({@link #horizontal}) or top-bottom ({@link #vertical}), each with
 * probability {@code p}. Works on {@code [C, H, W]} and on batches {@code [N, C, H, W]} on any
 * device (one {@code indexSelect}); a batch is flipped as a whole.
 */
public final class Flip implements Transform {
    private final boolean horizontal;
    private final double p;

    private Flip(boolean horizontal, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("Flip: probability must be in [0, 1], got " + p);
        this.horizontal = horizontal;
        this.p = p;
    }

    /** Left-right flip with probability {@code p} (torchvision's {@code RandomHorizontalFlip}). */
    public static Flip horizontal(double p) { return new Flip(true, p); }

    /** Top-bottom flip with probability {@code p} (torchvision's {@code RandomVerticalFlip}). */
    public static Flip vertical(double p) { return new Flip(false, p); }

    @Override
    public Tensor apply(Tensor image, Generator random) {
        if (image.dim() < 2) throw new IllegalArgumentException("Flip: expected [..., H, W], got " + java.util.Arrays.toString(image.shape()));
        // torchvision draws torch.rand(1) < p; p = 1 always flips and p = 0 never does without drawing
        if (p < 1 && (p == 0 || random.nextDouble() >= p)) return image;
        int dim = image.dim() - (horizontal ? 1 : 2);
        int n = (int) image.size(dim);
        long[] reversed = new long[n];
        for (int i = 0; i < n; i++) reversed[i] = n - 1 - i;
        return image.indexSelect(dim, Tensor.of(reversed).to(image.device()));
    }
}
