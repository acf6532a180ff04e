package dev.ember.data.vision;

import dev.ember.Generator;
import dev.ember.Tensor;

/**
 * Per-channel {@code (x - mean[c]) / std[c]}, as torchvision's {@code Normalize}. Works on
 * {@code [C, H, W]} and batches {@code [N, C, H, W]} on any device (broadcast tensor ops).
 */
public final class Normalize implements Transform {
    private final double[] mean, std;

    /** One mean and one (non-zero) standard deviation per channel. */
    public Normalize(double[] mean, double[] std) {
        if (mean.length == 0 || mean.length != std.length)
            throw new IllegalArgumentException("Normalize: need one mean and one std per channel, got " + mean.length + " and " + std.length);
        for (double s : std) if (s == 0) throw new IllegalArgumentException("Normalize: std must be non-zero, got " + java.util.Arrays.toString(std));
        this.mean = mean.clone();
        this.std = std.clone();
    }

    @Override
    public Tensor apply(Tensor image, Generator random) {
        if (image.dim() < 3 || image.size(image.dim() - 3) != mean.length)
            throw new IllegalArgumentException("Normalize: expected [..., " + mean.length + ", H, W], got " + java.util.Arrays.toString(image.shape()));
        Tensor m = Tensor.of(mean, mean.length, 1, 1).to(image.dtype()).to(image.device());
        Tensor s = Tensor.of(std, std.length, 1, 1).to(image.dtype()).to(image.device());
        return image.sub(m).div(s);
    }
}
