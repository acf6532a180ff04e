package dev.ember.nn;

import dev.ember.Tensor;

/** Batch normalisation of {@code [n, c, h, w]} inputs per channel; see {@link BatchNorm}. */
public final class BatchNorm2d extends BatchNorm {
    /** eps 1e-5, momentum 0.1, affine, as PyTorch. */
    public BatchNorm2d(int features) { this(features, 1e-5, 0.1, true); }

    /** A {@code BatchNorm2d} with the given {@code features}, {@code eps}, {@code momentum}, {@code affine}. */
    public BatchNorm2d(int features, double eps, double momentum, boolean affine) { super(features, eps, momentum, affine); }

    @Override
    void checkInput(Tensor x) {
        if (x.dim() != 4) throw new IllegalArgumentException("BatchNorm2d: expected [n, c, h, w], got " + java.util.Arrays.toString(x.shape()));
    }
}
